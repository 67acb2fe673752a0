// Tiny dispatcher: the first argument names the benchmark, the rest are its options.
using Rvs.Bench;

var benches = new Dictionary<string, Func<string[], Task<int>>>(StringComparer.OrdinalIgnoreCase)
{
    ["garnet"] = GarnetBench.RunAsync,
};
if (args.Length == 0 || !benches.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"usage: Rvs.Bench <{string.Join("|", benches.Keys)}> [options]");
    return 2;
}
return await run(args[1..]);
