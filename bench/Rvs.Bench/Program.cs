using Rvs.Bench;

// The first argument names the benchmark; the rest are its options.
return args.FirstOrDefault() switch
{
    "pipeline" => PipelineBenchmark.Run(args[1..]),
    "search" => SearchBenchmark.Run(args[1..]),
    "query" => QueryBenchmark.Run(args[1..]),
    "detection" => DetectionBenchmark.Run(args[1..]),
    "photos" => PhotosBenchmark.Run(args[1..]),
    "decode" => DecodeBenchmark.Run(args[1..]),
    "serve" => ServeBenchmark.Run(args[1..]),
    "garnet" => await GarnetBench.RunAsync(args[1..]),
    "people" => PeopleBenchmark.Run(args[1..]),
    "labels" => LabelsBenchmark.Run(args[1..]),
    "face-sizes" => FaceSizeBenchmark.Run(args[1..]),
    "quality" => QualityBenchmark.Run(args[1..]),
    "video" => VideoBenchmark.Run(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: Rvs.Bench pipeline [--lfw ../shared/data/lfw.tgz] [--count 1000] [--pipeline mtcnn-facenet]
               Rvs.Bench detection [--lfw ../shared/data/lfw.tgz]
               Rvs.Bench decode [--sides 4000,8192,9000,20000,32768]
               Rvs.Bench photos [--lfw ../shared/data/lfw.tgz] [--photos 40] [--people 200] [--seed 12] [--sides 1008,1280,1512,2016] [--align-sides 0] [--min-faces 96] [--factors 0.6]
               Rvs.Bench query [--collection lfw-collection] [--lfw ../shared/data/lfw.tgz] [--queries 200]
               Rvs.Bench serve [--lfw ../shared/data/lfw.tgz] [--photos 500] [--queries 200] [--concurrency 8] [--collection DIR] [--slots N] [--threads N]
               Rvs.Bench serve --load [--photos 300] [--collection DIR] [--uploads 64] [--upload-mb 19] [--bombs 4] [--bomb-side 20000] [--searchers 2] [--cli DLL] [-- SERVE OPTIONS]
               Rvs.Bench search [--n 13233] [--n 1000000] [--queries 1000] [--exact-queries 200] [--ef 64,128] [--m 16] [--ef-add 128]
                                [--data uniform,face-like] [--storage f32,f16,i8] [--rerank N] [--lfw PATH] [--peer-dir DIR]
               Rvs.Bench garnet [--n 200000] [--efs 0,50,100,200] [--queries 200] [--seconds 5]
               Rvs.Bench people [--lfw ../shared/data/lfw.tgz] [--added 20]
               Rvs.Bench labels [--lfw ../shared/data/lfw.tgz] [--collection DIR] [--reindex]
               Rvs.Bench face-sizes [--lfw ../shared/data/lfw.tgz] [--pairs ../shared/data/pairs.txt] [--folds 2] [--sides 12,16,20,24,28,32,40,56]
               Rvs.Bench quality --collection DIR
               Rvs.Bench video [--lfw ../shared/data/lfw.tgz] [--people 20] [--seconds 3]
        """);
    return 2;
}
