using Rvs.Bench;

return args.FirstOrDefault() switch
{
    "pipeline" => PipelineBenchmark.Run(args[1..]),
    "search" => SearchBenchmark.Run(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: Rvs.Bench pipeline [--lfw ../shared/data/lfw.tgz] [--count 1000] [--pipeline mtcnn-facenet]
               Rvs.Bench search [--n 13233] [--n 1000000] [--queries 1000] [--exact-queries 200] [--ef 64,128] [--m 16] [--ef-add 128]
        """);
    return 2;
}
