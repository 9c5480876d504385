using Microsoft.Extensions.Time.Testing;

namespace Drawbridge.Protocol.Tests.Support;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that also says when a timer was created. A loop creates its
/// timer after it starts; advancing the clock before that would move time past a timer that
/// does not exist yet, so tests await <see cref="TimerCreated"/> first.
/// </summary>
internal sealed class TimerWatchingTimeProvider : TimeProvider
{
    private readonly TaskCompletionSource _timerCreated = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public FakeTimeProvider Clock { get; } = new();

    public Task TimerCreated => _timerCreated.Task;

    public override long TimestampFrequency => Clock.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => Clock.LocalTimeZone;

    public override long GetTimestamp() => Clock.GetTimestamp();

    public override DateTimeOffset GetUtcNow() => Clock.GetUtcNow();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ITimer timer = Clock.CreateTimer(callback, state, dueTime, period);
        _timerCreated.TrySetResult();
        return timer;
    }
}
