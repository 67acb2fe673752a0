using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Rvs.Testing;

namespace Rvs.Bench;

/// <summary>
/// `serve --load`: what a burst of hostile uploads costs a real `rvs serve`, run as its own child process on
/// loopback so its peak memory (VmHWM) is its own. Many large uploads and a few decompression bombs (one-colour
/// PNGs made here, about a megabyte each) arrive at once while a few clients keep searching with ordinary photos;
/// the answers to each kind are counted, and a healthy search that is not answered 200 is a failure.
/// </summary>
internal static class ServeLoadBenchmark
{
    public const string Usage =
        "Rvs.Bench serve --load [--lfw ../shared/data/lfw.tgz] [--photos 300] [--collection DIR] [--uploads 64] [--upload-mb 19] [--bombs 4] [--bomb-side 20000] [--searchers 2] [--cli src/Rvs.Cli/bin/Release/net10.0/Rvs.Cli.dll] [-- SERVE OPTIONS…]";

    public static int Run(string[] args)
    {
        var uploads = BenchArguments.Int(args, "--uploads", 64);
        var uploadBytes = BenchArguments.Int(args, "--upload-mb", 19) * 1024 * 1024;
        var bombs = BenchArguments.Int(args, "--bombs", 4);
        var bombSide = BenchArguments.Int(args, "--bomb-side", 20000);
        var searchers = BenchArguments.Int(args, "--searchers", 2);
        var cli = BenchArguments.Value(args, "--cli") ?? Path.GetFullPath(Path.Combine(AppContext.BaseDirectory,
            "..", "..", "..", "..", "..", "src", "Rvs.Cli", "bin", "Release", "net10.0", "Rvs.Cli.dll"));
        if (!File.Exists(cli))
        {
            Console.Error.WriteLine($"serve --load: the rvs CLI is not built at {cli}; build Rvs.sln first or pass --cli");
            return 2;
        }

        var serveOptions = Array.IndexOf(args, "--") is var dash and >= 0 ? args[(dash + 1)..] : [];
        var (collection, queries, scratch) = ServeBenchmark.Prepare(args, BenchArguments.Int(args, "--photos", 300), 40);
        try
        {
            var photo = queries[0];
            var large = new byte[uploadBytes];
            // A real photo with zeros after its end: decoders stop at the end of the image, so each upload is a full search.
            photo.CopyTo(large, 0);
            var bomb = OneColourPng.Make(bombSide, bombSide, 90, 120, 150);
            using var server = ChildServer.Start(cli, collection, serveOptions);
            using var client = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromMinutes(10) };
            for (var i = 0; i < 5; i++)
            {
                Search(client, queries[i % queries.Count], "query.jpg").GetAwaiter().GetResult();
            }

            var before = server.Memory();
            Console.WriteLine($"server {server.Address} (pid {server.Pid}) on {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd}; serve options: {(serveOptions.Length == 0 ? "defaults" : string.Join(' ', serveOptions))}");
            Console.WriteLine($"load: {uploads} uploads of {uploadBytes / 1048576.0:0} MB at once, {bombs} bombs ({bombSide}x{bombSide} PNG, {bomb.Length / 1024.0:0} KB) at once, {searchers} clients searching with {queries[0].Length / 1024.0:0}-{queries.Max(q => q.Length) / 1024.0:0} KB photos meanwhile");
            Console.WriteLine($"server memory after warm-up: RSS {before.Rss / 1048576.0:0} MB, peak {before.Peak / 1048576.0:0} MB");

            var attack = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
            using var done = new CancellationTokenSource();
            var healthy = Enumerable.Range(0, searchers).Select(s => Task.Run(async () =>
            {
                var (ok, failed, times) = (0, new List<string>(), new List<double>());
                for (var i = s; !done.IsCancellationRequested || ok + failed.Count == 0; i += searchers)
                {
                    var start = Stopwatch.GetTimestamp();
                    var status = await Search(client, queries[i % queries.Count], "query.jpg");
                    times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    if (status == "200") { ok++; } else { failed.Add(status); }
                }

                return (ok, failed, times);
            })).ToList();

            var clock = Stopwatch.StartNew();
            var hostile = Enumerable.Range(0, uploads).Select(_ => Count(attack, "upload", Search(client, large, "large.jpg")))
                .Concat(Enumerable.Range(0, bombs).Select(_ => Count(attack, "bomb", Search(client, bomb, "bomb.png"))))
                .ToArray();
            Task.WaitAll(hostile);
            var attackSeconds = clock.Elapsed.TotalSeconds;
            done.Cancel();
            var results = healthy.Select(t => t.GetAwaiter().GetResult()).ToList();
            var after = server.Memory();

            Console.WriteLine($"the burst was answered in {attackSeconds:0.0} s");
            Console.WriteLine("| requests | answers |");
            Console.WriteLine("|---|---|");
            foreach (var kind in new[] { "upload", "bomb" })
            {
                var answers = attack.Where(p => p.Key.StartsWith(kind + " ", StringComparison.Ordinal)).OrderBy(p => p.Key, StringComparer.Ordinal)
                    .Select(p => $"{p.Key[(kind.Length + 1)..]}: {p.Value}");
                Console.WriteLine($"| {(kind == "upload" ? $"{uploads} large uploads" : $"{bombs} bombs")} | {string.Join(", ", answers)} |");
            }

            var times = results.SelectMany(r => r.times).ToList();
            var failures = results.SelectMany(r => r.failed).ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {times.Count} healthy searches | 200: {results.Sum(r => r.ok)}, failed: {failures.Count}{(failures.Count > 0 ? $" ({string.Join(", ", failures.Distinct())})" : "")}; p50 {Percentiles.Of(times, 50):0} ms, p99 {Percentiles.Of(times, 99):0} ms, max {times.Max():0} ms |"));
            Console.WriteLine($"server peak RSS (VmHWM): {after.Peak / 1048576.0:0} MB; RSS after the burst: {after.Rss / 1048576.0:0} MB");
            return failures.Count == 0 ? 0 : 1;
        }
        finally
        {
            if (Directory.Exists(scratch))
            {
                Directory.Delete(scratch, recursive: true);
            }
        }
    }

    private static async Task Count(ConcurrentDictionary<string, int> counts, string kind, Task<string> request) =>
        counts.AddOrUpdate($"{kind} {await request}", 1, (_, n) => n + 1);

    /// <summary>The status of one search, or the kind of failure when no answer came (a closed connection, say).</summary>
    private static async Task<string> Search(HttpClient client, byte[] photo, string name)
    {
        try
        {
            using var form = new MultipartFormDataContent();
            using var file = new ByteArrayContent(photo);
            file.Headers.ContentType = new MediaTypeHeaderValue(name.EndsWith(".png", StringComparison.Ordinal) ? "image/png" : "image/jpeg");
            form.Add(file, "photo", name);
            using var response = await client.PostAsync("/api/search", form);
            await response.Content.ReadAsByteArrayAsync();
            return ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
        }
        catch (HttpRequestException e)
        {
            return $"no answer ({e.HttpRequestError}: {(e.InnerException ?? e).Message})";
        }
    }

    /// <summary>`rvs serve` in a process of its own, on a free loopback port.</summary>
    private sealed class ChildServer : IDisposable
    {
        private readonly Process _process;

        private ChildServer(Process process, Uri address)
        {
            _process = process;
            Address = address;
        }

        public Uri Address { get; }

        public int Pid => _process.Id;

        public static ChildServer Start(string cli, string collection, string[] options)
        {
            int port;
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                port = ((IPEndPoint)probe.LocalEndpoint).Port;
            }

            var address = new Uri($"http://127.0.0.1:{port}");
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in (string[])["exec", cli, "serve", "-c", collection, "--urls", address.ToString().TrimEnd('/'), .. options])
            {
                start.ArgumentList.Add(arg);
            }

            var server = new ChildServer(Process.Start(start)!, address);
            try
            {
                server.WaitUntilAnswering();
                return server;
            }
            catch
            {
                server.Dispose();
                throw;
            }
        }

        private void WaitUntilAnswering()
        {
            var process = _process;
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine($"[serve] {e.Data}"); } };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine($"[serve] {e.Data}"); } };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using var probeClient = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"rvs serve exited with {process.ExitCode} before answering");
                }

                try
                {
                    using var health = probeClient.GetAsync("/healthz").GetAwaiter().GetResult();
                    if (health.IsSuccessStatusCode)
                    {
                        return;
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    // Not listening yet, or still loading its index.
                }

                if (deadline.Elapsed > TimeSpan.FromMinutes(3))
                {
                    throw new TimeoutException("rvs serve did not answer /healthz within 3 minutes");
                }

                Thread.Sleep(250);
            }
        }

        /// <summary>The server's resident memory now and its peak since it started, from /proc (Linux).</summary>
        public (long Rss, long Peak) Memory()
        {
            var status = File.ReadAllLines($"/proc/{_process.Id}/status");
            long Kb(string key) => long.Parse(status.Single(l => l.StartsWith(key + ":", StringComparison.Ordinal))[(key.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            return (Kb("VmRSS"), Kb("VmHWM"));
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }

            _process.Dispose();
        }
    }
}
