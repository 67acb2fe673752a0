using Rvs.Bench;

return args.FirstOrDefault() switch
{
    "pipeline" => PipelineBenchmark.Run(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Rvs.Bench pipeline [--lfw ../shared/data/lfw.tgz] [--count 1000] [--pipeline mtcnn-facenet]");
    return 2;
}
