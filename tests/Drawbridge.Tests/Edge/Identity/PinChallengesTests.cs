using Drawbridge.Edge.Identity;
using Microsoft.Extensions.Time.Testing;

namespace Drawbridge.Tests.Edge.Identity;

public sealed class PinChallengesTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-26T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void IssuedCode_IsSixDigitsAndVerifiesOnce()
    {
        var pins = new PinChallenges(_time);

        PinResult issued = pins.Request("Alice@Example.com");

        Assert.Equal(PinOutcome.Issued, issued.Outcome);
        Assert.Matches("^[0-9]{6}$", issued.Code!);
        Assert.Equal(PinOutcome.Verified, pins.Verify("alice@example.com", issued.Code).Outcome);
        Assert.Equal(PinOutcome.NoCode, pins.Verify("alice@example.com", issued.Code).Outcome);
    }

    [Fact]
    public void Guessing_IsStoppedAfterFiveWrongCodes_EvenIfTheSixthIsRight()
    {
        var pins = new PinChallenges(_time);
        string code = pins.Request("bob@example.com").Code!;
        string wrong = code == "000000" ? "111111" : "000000";

        for (int left = 4; left >= 1; left--)
        {
            PinResult result = pins.Verify("bob@example.com", wrong);
            Assert.Equal(PinOutcome.Wrong, result.Outcome);
            Assert.Equal(left, result.TriesLeft);
        }

        Assert.Equal(PinOutcome.TooManyTries, pins.Verify("bob@example.com", wrong).Outcome);
        Assert.Equal(PinOutcome.NoCode, pins.Verify("bob@example.com", code).Outcome);
    }

    [Fact]
    public void Code_ExpiresAfterTenMinutes()
    {
        var pins = new PinChallenges(_time);
        string code = pins.Request("carol@example.com").Code!;

        _time.Advance(PinChallenges.Lifetime);

        Assert.Equal(PinOutcome.Expired, pins.Verify("carol@example.com", code).Outcome);
    }

    [Fact]
    public void NewCodes_AreThrottledPerAddress()
    {
        var pins = new PinChallenges(_time);
        pins.Request("dan@example.com");

        Assert.Equal(PinOutcome.Throttled, pins.Request("dan@example.com").Outcome);
        Assert.Equal(PinOutcome.Issued, pins.Request("erin@example.com").Outcome);
        _time.Advance(PinChallenges.ResendInterval);
        PinResult second = pins.Request("dan@example.com");

        Assert.Equal(PinOutcome.Issued, second.Outcome);
        Assert.Equal(PinOutcome.Verified, pins.Verify("dan@example.com", second.Code).Outcome);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("12345")]
    [InlineData("1234567")]
    [InlineData("12345a")]
    [InlineData("١٢٣٤٥٦")]
    public void MalformedCodes_CountAsWrong(string? attempt)
    {
        var pins = new PinChallenges(_time);
        pins.Request("frank@example.com");

        Assert.Equal(PinOutcome.Wrong, pins.Verify("frank@example.com", attempt).Outcome);
    }

    [Fact]
    public void ToString_NeverShowsTheCode()
    {
        var pins = new PinChallenges(_time);
        PinResult issued = pins.Request("gina@example.com");

        Assert.DoesNotContain(issued.Code!, issued.ToString(), StringComparison.Ordinal);
    }
}
