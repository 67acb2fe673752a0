using System.CommandLine;
using Rvs.Catalog;
using Rvs.Catalog.PostgreSql;
using Rvs.Errors;
using Rvs.Index;
using Rvs.Index.Garnet;

namespace Rvs.Cli.Commands;

/// <summary>
/// The options that choose and reach a vector back end. On every verb they choose the back end for this run only;
/// `rvs index` records one when it creates a collection, and `rvs reindex --index` switches what is recorded.
/// </summary>
internal sealed class BackEndOptions
{
    /// <summary>The kinds this command line can make: the embedded ones and garnet.</summary>
    public static VectorBackEnds Known { get; } = VectorBackEnds.Embedded.With(GarnetBackEnd.KindName, GarnetBackEnd.FromSettings);

    public Option<string?> Kind { get; } = new Option<string?>("--index")
    {
        Description = "Vector index: auto (exact below 100,000 faces, else hnsw), exact, hnsw or garnet. Default: what the collection records.",
    }.AcceptOnlyFromAmong([.. Known.Kinds]);

    public Option<string?> Garnet { get; } = new("--garnet") { Description = "Garnet (or Redis 8) endpoints host:port[,host:port…] for --index garnet." };

    public Option<int?> Shards { get; } = new("--shards") { Description = "Vector-set keys to spread a new garnet collection over (default 8)." };

    public Option<bool> AllowPartial { get; } = new("--allow-partial") { Description = "With garnet: when a shard is down, answer from the others and say the result is partial." };

    public void AddTo(Command command)
    {
        command.Options.Add(Kind);
        command.Options.Add(Garnet);
        command.Options.Add(Shards);
        command.Options.Add(AllowPartial);
    }

    /// <summary>How to open <paramref name="directory"/> for this run.</summary>
    public CollectionOptions Resolve(ParseResult parse, string directory) => new() { BackEnd = Chosen(parse, directory), BackEnds = Known };

    /// <summary>
    /// The back end asked for on the command line, or null for the one the collection records ("auto" on a new one).
    /// Garnet settings not given (shards, set name) are taken from what the collection recorded.
    /// </summary>
    public IVectorBackEnd? Chosen(ParseResult parse, string directory)
    {
        var stored = FaceCollection.Exists(directory) ? FaceCollection.ReadSettings(directory) : null;
        var kind = parse.GetValue(Kind)?.ToLowerInvariant();
        var endpoints = parse.GetValue(Garnet);
        var garnetAsked = endpoints is not null || parse.GetValue(AllowPartial) || parse.GetValue(Shards) is not null;
        if (kind is null && garnetAsked)
        {
            kind = GarnetBackEnd.KindName;
        }

        if (kind is null || kind == VectorBackEnds.Auto)
        {
            return null;
        }

        if (kind != GarnetBackEnd.KindName)
        {
            var faces = stored is null ? 0 : FaceCollection.CountFaces(directory);
            var parameters = stored?.IndexKind == kind ? stored.IndexParameters : new Dictionary<string, string>();
            return Known.FromSettings(kind, parameters, faces);
        }

        var recorded = stored?.IndexKind == GarnetBackEnd.KindName ? GarnetBackEnd.FromSettings(stored.IndexParameters).Options : null;
        var options = recorded ?? new GarnetVectorIndexOptions(endpoints
            ?? throw new InvalidRequestException("the garnet index needs --garnet host:port[,host:port…]"));
        options = options with { Endpoints = endpoints ?? options.Endpoints, AllowPartial = parse.GetValue(AllowPartial) };
        if (parse.GetValue(Shards) is { } shards)
        {
            options = options with { Shards = shards };
        }

        // A shared catalog names its sets after its database, so every process that opens it finds the same ones.
        return CatalogLocation.IsShared(directory)
            ? GarnetBackEnd.Named(PostgresUri.Parse(directory).Builder.Database ?? GarnetBackEnd.DefaultCollection, options)
            : GarnetBackEnd.ForCollection(directory, options);
    }
}
