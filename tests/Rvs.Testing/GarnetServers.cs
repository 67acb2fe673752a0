using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Rvs.Testing;

/// <summary>
/// Starts real garnet-server processes on loopback for tests and the benchmark (the bench project links this file).
/// </summary>
public static class GarnetBinary
{
    public const string InstallLine = "dotnet tool restore";

    /// <summary>
    /// The garnet-server entry assembly that `dotnet tool restore` put in the NuGet cache, at the version pinned in
    /// the repository's .config/dotnet-tools.json (RVS_GARNET_SERVER overrides it with another binary or .dll).
    /// Throws (never skips) when it is missing. The assembly is run with `dotnet` directly rather than through
    /// `dotnet tool run`, so the process the tests kill and measure is the server itself, not a launcher.
    /// </summary>
    public static string Locate()
    {
        var overridePath = Environment.GetEnvironmentVariable("RVS_GARNET_SERVER");
        if (!string.IsNullOrEmpty(overridePath) && File.Exists(overridePath)) return overridePath;
        var root = RepositoryRoot.Find() ?? Directory.GetCurrentDirectory();
        var manifest = Path.Combine(root, ".config", "dotnet-tools.json");
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(manifest));
        var version = json.RootElement.GetProperty("tools").GetProperty("garnet-server").GetProperty("version").GetString()!;
        var package = Path.Combine(NuGetPackages.Value, "garnet-server", version.ToLowerInvariant());
        // The package's DotnetToolSettings.xml names the entry assembly, as `dotnet tool run` reads it.
        var settings = Directory.Exists(package)
            ? Directory.EnumerateFiles(Path.Combine(package, "tools"), "DotnetToolSettings.xml", SearchOption.AllDirectories).FirstOrDefault()
            : null;
        var entryPoint = settings is null
            ? null
            : System.Xml.Linq.XDocument.Load(settings).Descendants("Command").Select(c => (string?)c.Attribute("EntryPoint")).FirstOrDefault();
        var path = settings is null || entryPoint is null ? null : Path.Combine(Path.GetDirectoryName(settings)!, entryPoint);
        if (path is null || !File.Exists(path))
            throw new InvalidOperationException(
                $"garnet-server {version} (pinned in {manifest}) is not restored under {package}. Run from the repository root: {InstallLine}");
        return path;
    }

    // Asked once per run: a cluster test starts several nodes.
    private static readonly Lazy<string> NuGetPackages = new(NuGetPackagesFolder);

    private static string NuGetPackagesFolder()
    {
        // Where restore put it, as NuGet itself reports it (NUGET_PACKAGES or a NuGet.Config may move it).
        var psi = new ProcessStartInfo("dotnet", "nuget locals global-packages --list") { RedirectStandardOutput = true, UseShellExecute = false };
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not run dotnet nuget locals");
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        const string prefix = "global-packages:";
        var line = output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return line is not null
            ? line[prefix.Length..].Trim()
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
    }
}

public sealed class GarnetNode : IDisposable
{
    private readonly string _binary;
    private readonly string[] _args;
    private Process? _process;

    public GarnetNode(int port, string dir, bool cluster, bool durable, IEnumerable<string>? extra = null)
    {
        Port = port;
        Dir = dir;
        Directory.CreateDirectory(dir);
        _binary = GarnetBinary.Locate();
        var args = new List<string>
        {
            "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--enable-vector-set-preview",
            // The default (native) device needs libaio.so.1, absent on slim images; cluster config and the AOF both
            // write through it, and without libaio Garnet 2.2.8 refuses to start in cluster mode and drops the
            // connection on the first logged write. RandomAccess is the managed file device.
            "--device-type", "RandomAccess",
            "--checkpointdir", Path.Combine(dir, "data"),
        };
        if (cluster) args.Add("--cluster");
        // --aof-commit-wait: a reply means the record is on disk, so a kill -9 after the reply cannot lose it.
        if (durable) args.AddRange(["--aof", "--recover", "--aof-commit-wait"]);
        if (extra is not null) args.AddRange(extra);
        _args = args.ToArray();
    }

    public int Port { get; }
    public string Dir { get; }
    public string Endpoint => $"127.0.0.1:{Port}";
    public string LogPath => Path.Combine(Dir, "garnet.log");
    public bool Running => _process is { HasExited: false };

    public void Start()
    {
        var psi = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
        };
        // exec keeps the pid, so Kill reaches the server itself; the log goes to a file so no pipe can fill up.
        var command = new StringBuilder("exec ");
        if (_binary.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)) command.Append("dotnet ");
        command.Append(Quote(_binary));
        foreach (var a in _args) command.Append(' ').Append(Quote(a));
        command.Append(" >>").Append(Quote(LogPath)).Append(" 2>&1");
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(command.ToString());
        _process = Process.Start(psi) ?? throw new InvalidOperationException("could not start garnet-server");
    }

    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process is { HasExited: true })
                throw new InvalidOperationException($"garnet-server on {Endpoint} exited: {Tail()}");
            try
            {
                using var c = new RespClient(Port, 2000);
                if (Equals(c.Call("PING"), "PONG")) return;
            }
            catch (Exception e) when (e is SocketException or IOException)
            {
                // not listening yet
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"garnet-server on {Endpoint} not ready after {timeout}: {Tail()}");
    }

    /// <summary>SIGKILL: no shutdown hook runs, as after a crash.</summary>
    public void Kill()
    {
        if (_process is null) return;
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        _process.Dispose();
        _process = null;
    }

    public long RssBytes()
    {
        if (_process is null) return 0;
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        return 0;
    }

    public string Tail()
    {
        try
        {
            var text = File.ReadAllText(LogPath);
            return text.Length > 1500 ? text[^1500..] : text;
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }

    public void Dispose() => Kill();

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}

/// <summary>One node or a cluster of nodes with the slots split evenly, all on 127.0.0.1.</summary>
public sealed class GarnetServers : IDisposable
{
    private readonly string _root;

    private GarnetServers(string root, GarnetNode[] nodes, bool cluster)
    {
        _root = root;
        Nodes = nodes;
        IsCluster = cluster;
    }

    public GarnetNode[] Nodes { get; }
    public bool IsCluster { get; }
    public string Endpoints => string.Join(",", Nodes.Select(n => n.Endpoint));

    public static async Task<GarnetServers> StartAsync(int nodes = 1, bool cluster = false, bool durable = false, IEnumerable<string>? extra = null)
    {
        var root = Path.Combine(Path.GetTempPath(), "rvs-garnet-" + Guid.NewGuid().ToString("N")[..10]);
        var list = new GarnetNode[nodes];
        var ports = FreePorts(nodes, cluster);
        for (var i = 0; i < nodes; i++)
            list[i] = new GarnetNode(ports[i], Path.Combine(root, $"n{i}"), cluster, durable, extra);
        var servers = new GarnetServers(root, list, cluster);
        try
        {
            foreach (var n in list) n.Start();
            await Task.WhenAll(list.Select(n => n.WaitReadyAsync(TimeSpan.FromSeconds(40))));
            if (cluster) await servers.FormClusterAsync();
            return servers;
        }
        catch
        {
            servers.Dispose();
            throw;
        }
    }

    private async Task FormClusterAsync()
    {
        const int slots = 16384;
        for (var i = 0; i < Nodes.Length; i++)
        {
            var from = slots * i / Nodes.Length;
            var to = slots * (i + 1) / Nodes.Length - 1;
            using var c = new RespClient(Nodes[i].Port);
            Expect(c.Call("CLUSTER", "ADDSLOTSRANGE", from.ToString(CultureInfo.InvariantCulture), to.ToString(CultureInfo.InvariantCulture)), "OK");
        }
        for (var i = 1; i < Nodes.Length; i++)
        {
            using var c = new RespClient(Nodes[i].Port);
            Expect(c.Call("CLUSTER", "MEET", "127.0.0.1", Nodes[0].Port.ToString(CultureInfo.InvariantCulture)), "OK");
        }
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var ready = true;
            foreach (var n in Nodes)
            {
                using var c = new RespClient(n.Port);
                var info = c.Call("CLUSTER", "INFO") as string ?? "";
                var nodesText = c.Call("CLUSTER", "NODES") as string ?? "";
                ready &= info.Contains("cluster_state:ok", StringComparison.Ordinal)
                         && info.Contains($"cluster_known_nodes:{Nodes.Length}", StringComparison.Ordinal)
                         && !nodesText.Contains("disconnected", StringComparison.Ordinal);
            }
            if (ready) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("Garnet cluster did not converge in 30 s");
            await Task.Delay(200);
        }
    }

    private static void Expect(object? reply, string want)
    {
        if (!Equals(reply, want)) throw new InvalidOperationException($"expected {want}, got {reply}");
    }

    /// <summary>Random loopback ports from 17000 up whose cluster bus port (+10000) is also free.</summary>
    private static int[] FreePorts(int count, bool cluster)
    {
        var rnd = new Random();
        var chosen = new List<int>();
        while (chosen.Count < count)
        {
            var p = rnd.Next(17000, 19900);
            if (chosen.Contains(p) || !IsFree(p) || (cluster && !IsFree(p + 10000))) continue;
            chosen.Add(p);
        }
        return chosen.ToArray();
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var l = new TcpListener(IPAddress.Loopback, port);
            l.Start();
            l.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        foreach (var n in Nodes) n.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // a file still held open; the temp dir is swept eventually
        }
    }
}

/// <summary>
/// Minimal RESP2 client. Probes and cluster setup go around StackExchange.Redis on purpose: they must see raw
/// replies and must be able to hang (MULTI/EXEC) without disturbing the index's own connection.
/// </summary>
public sealed class RespClient : IDisposable
{
    private readonly TcpClient _tcp;
    private readonly BufferedStream _stream;

    public RespClient(int port, int timeoutMs = 10_000)
    {
        _tcp = new TcpClient { NoDelay = true, ReceiveTimeout = timeoutMs, SendTimeout = timeoutMs };
        _tcp.Connect(IPAddress.Loopback, port);
        _stream = new BufferedStream(_tcp.GetStream());
    }

    public object? Call(params object[] args)
    {
        Send(args);
        return Read();
    }

    public void Send(params object[] args)
    {
        Write($"*{args.Length}\r\n");
        foreach (var a in args)
        {
            var bytes = a switch
            {
                byte[] b => b,
                IFormattable f => Encoding.UTF8.GetBytes(f.ToString(null, CultureInfo.InvariantCulture)),
                _ => Encoding.UTF8.GetBytes(a.ToString() ?? ""),
            };
            Write($"${bytes.Length}\r\n");
            _stream.Write(bytes);
            Write("\r\n");
        }
        _stream.Flush();
    }

    /// <summary>Reply as string, long, null, object?[] or <see cref="RespError"/>.</summary>
    public object? Read()
    {
        var line = ReadLine();
        var body = line[1..];
        switch (line[0])
        {
            case '+': return body;
            case '-': return new RespError(body);
            case ':': return long.Parse(body, CultureInfo.InvariantCulture);
            case '$':
                var n = int.Parse(body, CultureInfo.InvariantCulture);
                if (n < 0) return null;
                var buf = new byte[n + 2];
                _stream.ReadExactly(buf);
                return Encoding.UTF8.GetString(buf, 0, n);
            case '*':
                var count = int.Parse(body, CultureInfo.InvariantCulture);
                if (count < 0) return null;
                var items = new object?[count];
                for (var i = 0; i < count; i++) items[i] = Read();
                return items;
            default: throw new InvalidDataException("unexpected RESP line: " + line);
        }
    }

    private string ReadLine()
    {
        var sb = new StringBuilder();
        while (true)
        {
            var b = _stream.ReadByte();
            if (b < 0) throw new IOException("connection closed");
            if (b == '\r')
            {
                _stream.ReadByte();
                return sb.ToString();
            }
            sb.Append((char)b);
        }
    }

    private void Write(string s) => _stream.Write(Encoding.ASCII.GetBytes(s));

    public void Dispose()
    {
        _stream.Dispose();
        _tcp.Dispose();
    }
}

public sealed record RespError(string Message)
{
    public override string ToString() => "ERR(" + Message + ")";
}
