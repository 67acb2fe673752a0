using Rvs.Bench;

return args.Length > 0 && args[0] == "search"
    ? SearchBenchmark.Run(args[1..])
    : Usage();

static int Usage()
{
    Console.Error.WriteLine("usage: Rvs.Bench search [--n 13233] [--n 1000000] [--queries 1000] [--exact-queries 200] [--ef 64,128] [--m 16] [--ef-add 128]");
    return 2;
}
