using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using Drawbridge.Client;
using Drawbridge.Client.Config;
using Drawbridge.Client.Forwarding;
using Drawbridge.Configuration;
using Drawbridge.Tests.Fixtures;

namespace Drawbridge.Tests.Client;

/// <summary><c>access.yml</c> for <c>drawbridge access run</c>: what it accepts, and the line a person reads when it is wrong.</summary>
[UnsupportedOSPlatform("windows")] // file modes
public sealed class AccessConfigLoaderTests
{
    private const string FileName = "/home/alice/.config/drawbridge/access.yml";

    private static readonly Func<string, string?> NoEnvironment = _ => null;

    private static string Yaml(params string[] lines) => string.Join('\n', lines) + "\n";

    private static AccessConfig Parses(string yaml, Func<string, string?>? environment = null) =>
        AccessConfigLoader.Parse(yaml, FileName, environment ?? NoEnvironment);

    private static void Refuses(string yaml, int line, params string[] fragments)
    {
        var ex = Assert.Throws<ConfigException>(() => Parses(yaml));
        Assert.StartsWith($"{FileName}:{line}: ", ex.Message, StringComparison.Ordinal);
        foreach (string fragment in fragments)
        {
            Assert.Contains(fragment, ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Parse_TheDocumentedExample_GivesEdgeCaAndTwoForwards()
    {
        AccessConfig config = Parses(Yaml(
            "edge: edge.example.com:443",
            "ca-cert: ca.pem",
            "forwards:",
            "  - hostname: DB.example.com.",
            "    listen: localhost:5432",
            "  - hostname: redis.example.com",
            "    listen: 127.0.0.1:6380",
            "    service-token-id: id-1",
            "    service-token-secret: s3cret"));

        Assert.Equal("edge.example.com:443", config.EdgeAddress);
        Assert.Equal("/home/alice/.config/drawbridge/ca.pem", config.CaCertificatePath);
        Assert.Collection(config.Forwards,
            db =>
            {
                Assert.Equal("db.example.com", db.Hostname);
                Assert.Equal(new IPEndPoint(IPAddress.Loopback, 5432), db.Listen);
                Assert.Null(db.ServiceTokenId);
                Assert.Equal($"{FileName}:4: forward 1", db.Where);
            },
            redis =>
            {
                Assert.Equal(new IPEndPoint(IPAddress.Loopback, 6380), redis.Listen);
                Assert.Equal(("id-1", "s3cret"), (redis.ServiceTokenId, redis.ServiceTokenSecret));
            });
    }

    [Fact]
    public void Parse_ATokenIdAlone_TakesTheSecretFromTheEnvironment()
    {
        AccessConfig config = Parses(
            Yaml("forwards:", "  - hostname: a.test", "    listen: localhost:7000", "    service-token-id: id"),
            name => name == "DRAWBRIDGE_SERVICE_TOKEN_SECRET" ? "from-env" : null);

        Assert.Equal("from-env", config.Forwards[0].ServiceTokenSecret);
    }

    [Theory]
    [InlineData("colour: blue\nforwards: []\n", 1, "unknown key 'colour'; allowed: edge, ca-cert, forwards")]
    [InlineData("edge: e:443\n", 0, "has no `forwards:` list")]
    [InlineData("forwards: []\n", 1, "forwards must be a list of hostname and listen pairs")]
    [InlineData("forwards: db\n", 1, "forwards must be a list")]
    [InlineData("forwards:\n  - db.test\n", 2, "forward 1: must be a mapping with `hostname` and `listen`")]
    [InlineData("forwards:\n  - hostname: a.test\n    listne: localhost:1\n", 3, "unknown key 'listne'; allowed: hostname, listen, service-token-id, service-token-secret, service-token-secret-file")]
    [InlineData("forwards:\n  - hostname: a.test\n", 2, "needs both `hostname`")]
    [InlineData("forwards:\n  - listen: localhost:1\n", 2, "needs both `hostname`")]
    [InlineData("forwards:\n  - hostname: a b.test\n    listen: localhost:1\n", 2, "hostname 'a b.test' is not a DNS name")]
    [InlineData("forwards:\n  - hostname: \"$(id).test\"\n    listen: localhost:1\n", 2, "is not a DNS name")]
    [InlineData("forwards:\n  - hostname: '*.test'\n    listen: localhost:1\n", 2, "is not a DNS name")]
    [InlineData("forwards:\n  - hostname: a.test\n    listen: localhost\n", 2, "listen 'localhost' must be localhost:PORT or IP:PORT with a port from 1 to 65535")]
    [InlineData("forwards:\n  - hostname: a.test\n    listen: localhost:0\n", 2, "a port from 1 to 65535")]
    [InlineData("forwards:\n  - hostname: a.test\n    listen: localhost:70000\n", 2, "a port from 1 to 65535")]
    [InlineData("forwards:\n  - hostname: a.test\n    listen: db.example.com:5432\n", 2, "must be localhost:PORT or IP:PORT")]
    [InlineData("forwards:\n  - hostname: a.test\n    listen: localhost:1\n    service-token-secret: s\n", 2, "needs its `service-token-id`")]
    [InlineData("forwards:\n  - hostname: a.test\n    listen: localhost:1\n    service-token-id: i\n", 2, "service-token-id has no secret: add `service-token-secret-file: PATH` (owner-only), or set DRAWBRIDGE_SERVICE_TOKEN_SECRET")]
    [InlineData("forwards:\n  - hostname: a.test\n    listen: localhost:1\n    service-token-id: i\n    service-token-secret: s\n    service-token-secret-file: f\n", 2, "not both")]
    [InlineData("forwards:\n  - hostname: a.test\n    listen:\n      - x\n", 2, "'listen' must be a single value")]
    [InlineData("- a\n", 1, "the top level must be a mapping of keys (edge, ca-cert, forwards)")]
    public void Parse_AMistake_NamesTheLineAndWhatIsAllowed(string yaml, int line, string fragment)
    {
        if (line == 0)
        {
            var ex = Assert.Throws<ConfigException>(() => Parses(yaml));
            Assert.StartsWith($"{FileName}: ", ex.Message, StringComparison.Ordinal);
            Assert.Contains(fragment, ex.Message, StringComparison.Ordinal);
            return;
        }

        Refuses(yaml, line, fragment);
    }

    [Theory]
    [InlineData("localhost:5432", "127.0.0.1:5432")]
    [InlineData("127.0.0.1:5432", "localhost:5432")]
    [InlineData("0.0.0.0:5432", "127.0.0.1:5432")]
    [InlineData("127.0.0.1:5432", "0.0.0.0:5432")]
    public void Parse_TwoForwardsOnOnePort_NamesBothLines(string first, string second) =>
        Refuses(Yaml(
            "forwards:",
            "  - hostname: a.test",
            $"    listen: {first}",
            "  - hostname: b.test",
            $"    listen: {second}"), 4, $"forward 2: listen {second} is already used by the forward at {FileName}:2: forward 1");

    [Fact]
    public void Parse_OnePortOnTwoDifferentAddresses_IsAllowed() =>
        Assert.Equal(2, Parses(Yaml(
            "forwards:",
            "  - hostname: a.test",
            "    listen: 127.0.0.1:5432",
            "  - hostname: b.test",
            "    listen: 127.0.0.2:5432")).Forwards.Count);

    [Fact]
    public void Parse_MalformedYaml_IsRefusedWithItsLine() =>
        Refuses("forwards:\n  - hostname: a.test\n    listen: [localhost:1\n", 4, "not valid YAML");

    [Fact]
    public void Parse_AnEmptyFile_SaysWhatItNeeds()
    {
        var ex = Assert.Throws<ConfigException>(() => Parses(""));
        Assert.StartsWith($"{FileName}: the file is empty; it needs a `forwards:` list", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_AFileOverOneMebibyte_IsRefusedBeforeItIsRead()
    {
        using var directory = TempDirectory.Create();
        string path = directory.Combine("access.yml");
        File.WriteAllText(path, "# " + new string('x', 1024 * 1024) + "\nforwards: []\n");

        var ex = Assert.Throws<ConfigException>(() => AccessConfigLoader.Load(path));

        Assert.Equal($"{path}: {new FileInfo(path).Length} bytes is too large for a config file (limit 1048576)", ex.Message);
    }

    [Fact]
    public void Load_ASecretFileReadableByOthers_WarnsOnceAndReadsIt()
    {
        using var directory = TempDirectory.Create();
        string secret = directory.Combine("secret");
        File.WriteAllText(secret, "s3cret\n");
        File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        string path = directory.Combine("access.yml");
        File.WriteAllText(path, Yaml(
            "forwards:",
            "  - {hostname: a.test, listen: localhost:7001, service-token-id: i, service-token-secret-file: secret}",
            "  - {hostname: b.test, listen: localhost:7002, service-token-id: i, service-token-secret-file: secret}"));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        AccessConfig config = AccessConfigLoader.Load(path, NoEnvironment);

        Assert.All(config.Forwards, f => Assert.Equal("s3cret", f.ServiceTokenSecret));
        string warning = Assert.Single(config.Warnings);
        Assert.Equal($"{secret} holds a service token secret and other users can read it: chmod 600 {secret}", warning);
    }

    [Fact]
    public void Load_AnInlineSecretInAnOwnerOnlyFile_DoesNotWarn_ButInAReadableFileDoes()
    {
        using var directory = TempDirectory.Create();
        string path = directory.Combine("access.yml");
        File.WriteAllText(path, Yaml("forwards:", "  - {hostname: a.test, listen: localhost:7001, service-token-id: i, service-token-secret: s}"));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.Empty(AccessConfigLoader.Load(path, NoEnvironment).Warnings);

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        Assert.Contains("holds a service token secret and other users can read it", Assert.Single(AccessConfigLoader.Load(path, NoEnvironment).Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_APortAlreadyTaken_NamesTheForwardAndLeavesNothingListening()
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        taken.Listen();
        int busy = ((IPEndPoint)taken.LocalEndPoint!).Port;
        int free = FreePort();
        AccessConfig config = Parses(Yaml(
            "forwards:",
            "  - hostname: a.test",
            $"    listen: 127.0.0.1:{free}",
            "  - hostname: b.test",
            $"    listen: 127.0.0.1:{busy}"));
        var dialers = new List<AccessDialer>();

        var ex = Assert.Throws<ConfigException>(() => ForwardSet.Bind(config, f =>
        {
            var dialer = new AccessDialer(new AccessOptions { Hostname = f.Hostname, ServiceTokenId = "i", ServiceTokenSecret = "s" });
            dialers.Add(dialer);
            return dialer;
        }, TextWriter.Null));

        Assert.Equal($"{FileName}:4: forward 2: listen 127.0.0.1:{busy} is already in use: pick another port, or stop what listens there", ex.Message);
        // The first listener was closed again: its port can be bound at once.
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, free));
        dialers.ForEach(d => d.Dispose());
    }

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
