using System.Drawing;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.OpenApi;
using Rvs.Catalog;
using Rvs.Errors;
using Rvs.Pipelines;
using Rvs.Search;
using Rvs.Server.Observability;
using Rvs.Verdicts;

namespace Rvs.Server;

/// <summary>
/// `rvs serve`: an HTTP API and a web page to search one collection by photo. Query photos are held in memory for
/// the length of the request and never written anywhere.
/// </summary>
public static partial class RvsServer
{
    public const string ApiKeyHeader = "X-Api-Key";

    /// <summary>
    /// Opens the collection and the pipeline and wires the endpoints; the caller runs (or tests) the application.
    /// <paramref name="configure"/> runs last, e.g. for tests to swap Kestrel for an in-memory server.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "The application's container owns the state and disposes it on shutdown; it is disposed here when building fails.")]
    public static WebApplication Build(ServerOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxUploadBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConnections, 1);
        if (ServerOptions.ProblemWithUrls(options.Urls) is { } badUrls)
        {
            throw new InvalidRequestException(badUrls);
        }

        if (options.UploadBudgetBytes < options.MaxUploadBytes + Uploads.FormOverhead)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "the upload budget must hold at least one upload of the largest size");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxK, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.DefaultK, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.IntraOpThreads, 1);

        var state = OpenState(options);
        try
        {
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions
            {
                Args = [],
                ApplicationName = "rvs",
                // Nothing is read from the content root, but the default (the current directory) would be watched.
                ContentRootPath = AppContext.BaseDirectory,
            });
            // Without an appsettings.json ASP.NET logs every request at Information; a search server logs its start,
            // warnings and failures, and nothing per request (which would also leak query metadata into logs).
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
            ServerObservability.ConfigureLogging(builder.Logging, options.LogFormat);
            builder.WebHost.UseUrls(options.Urls);
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.AddServerHeader = false;
                kestrel.Limits.MaxRequestBodySize = options.MaxUploadBytes + Uploads.FormOverhead;
                kestrel.Limits.MaxConcurrentConnections = options.MaxConnections;
            });
            builder.Services.ConfigureHttpJsonOptions(json =>
            {
                json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
                json.SerializerOptions.DictionaryKeyPolicy = JsonNamingPolicy.SnakeCaseLower;
            });
            builder.Services.AddOpenApi();
            builder.Services.AddHostFiltering(hosts =>
            {
                hosts.AllowedHosts = RequestGuards.AllowedHosts(options);
                hosts.AllowEmptyHosts = false;
            });
            // A factory registration, so the container disposes the state (collection, owned pipeline) on shutdown.
            builder.Services.AddSingleton(_ => state);
            configure?.Invoke(builder);

            var app = builder.Build();
            Configure(app);
            return app;
        }
        catch
        {
            state.Dispose();
            throw;
        }
    }

    private static ServerState OpenState(ServerOptions options)
    {
        var collection = FaceCollection.Open(options.CollectionDirectory, options.CollectionOptions);
        try
        {
            var pipeline = options.Pipeline ?? PipelineFactory.CreateMatching(collection.Pipeline.Name, collection.Pipeline.ModelId, options.IntraOpThreads);
            try
            {
                FaceCollection.EnsureSamePipeline(collection.Location, collection.Pipeline, PipelineIdentity.Of(pipeline));
                return new ServerState(options, collection, pipeline, ownsPipeline: options.Pipeline is null);
            }
            catch
            {
                if (options.Pipeline is null)
                {
                    pipeline.Dispose();
                }

                throw;
            }
        }
        catch
        {
            collection.Dispose();
            throw;
        }
    }

    private static void Configure(WebApplication app)
    {
        var state = app.Services.GetRequiredService<ServerState>();
        app.UseRequestIds();
        app.UseHostFiltering();
        ServerObservability.UseHttpMetrics(app, state.Metrics);
        app.UseExceptionHandler(handler => handler.Run(context =>
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return context.Response.WriteAsJsonAsync(ApiResults.ErrorBody(context, "the server failed on this request; see its log"));
        }));
        // User-facing errors are answers, not failures: mapped to their status here, and not logged as crashes.
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (RvsException e) when (!context.Response.HasStarted)
            {
                await ApiResults.WriteAsync(context, e);
            }
        });
        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' blob: data:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'";
            return next(context);
        });

        var watch = new CatalogWatch(state.Collection, state.Options.CatalogCheckInterval, app.Logger);
        app.Use((context, next) =>
        {
            // Only requests that read the collection; the page's own files do not.
            if (context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments("/healthz"))
            {
                watch.CatchUpIfDue();
            }

            return next(context);
        });

        WarnIfExposed(app);
        app.MapOpenApi();
        ServerObservability.MapMetrics(app, state.Metrics);

        app.MapGet("/healthz", (ServerState s) => Results.Ok(new HealthResponse("ok", s.Collection.CatalogFaces())))
            .WithSummary("Liveness, with the number of faces served.");

        var api = app.MapGroup("/api");
        api.MapPost("/search", SearchAsync)
            .WithSummary("Search by photo: multipart field 'photo', optional 'k' (1..100, default 20) and 'face' (index into the faces found; default the largest).")
            .AcceptsPhotoForm("k", "face")
            .Produces<SearchResponse>()
            .Produces<ApiError>(StatusCodes.Status400BadRequest)
            .Produces<ApiError>(StatusCodes.Status413PayloadTooLarge)
            .Produces<ApiError>(StatusCodes.Status415UnsupportedMediaType)
            .Produces<ApiError>(StatusCodes.Status503ServiceUnavailable)
            .DisableAntiforgery();
        api.MapGet("/faces/{id}", GetFace).WithSummary("A stored face.").Produces<FaceResponse>().Produces<ApiError>(404);
        api.MapGet("/faces/{id}/thumbnail", GetThumbnail).WithSummary("The face's JPEG thumbnail.").Produces(200, contentType: "image/jpeg").Produces<ApiError>(404);
        api.MapGet("/faces/{id}/similar", Similar).WithSummary("The faces nearest a stored face, itself excluded.").Produces<SimilarResponse>().Produces<ApiError>(404);
        api.MapGet("/images/{id}", GetImage).WithSummary("The original photo (or video, with range requests), with its content type read from its bytes.").Produces(200, contentType: "image/jpeg").Produces<ApiError>(404);
        api.MapGet("/stats", (ServerState s) => Results.Ok(ToStats(s.Collection.Stats()))).WithSummary("Collection counts.").Produces<StatsResponse>();
        api.MapPost("/images", AddImageAsync)
            .WithSummary($"Add a photo (multipart 'photo', optional 'label'); needs the server's API key in {ApiKeyHeader}.")
            .AcceptsPhotoForm("label")
            .Produces<AddedImageResponse>(StatusCodes.Status201Created)
            .Produces<ApiError>(StatusCodes.Status401Unauthorized)
            .Produces<ApiError>(StatusCodes.Status403Forbidden)
            .DisableAntiforgery();
        api.MapDelete("/images/{id}", RemoveImage)
            .WithSummary($"Remove a photo and its faces from the collection (its file is left alone); needs {ApiKeyHeader}.")
            .Produces<RemovedImageResponse>()
            .Produces<ApiError>(StatusCodes.Status401Unauthorized)
            .Produces<ApiError>(StatusCodes.Status403Forbidden)
            .Produces<ApiError>(StatusCodes.Status404NotFound);
        MapPeople(api);
        api.MapFallback((HttpContext context) => RequestGuards.MethodNotAllowed(context) ?? ApiResults.NotFound("no such API endpoint"));

        app.MapGet("/", (HttpContext context) => ServeAsset(context, "index.html")).ExcludeFromDescription();
        app.MapGet("/{asset}", (HttpContext context, string asset) => ServeAsset(context, asset)).ExcludeFromDescription();
        app.MapFallback((HttpContext context) => RequestGuards.MethodNotAllowed(context) ?? ApiResults.NotFound("not found"));
    }

    /// <summary>
    /// Documents the multipart form. The form is read by hand (to bound its size and keep files in memory), and
    /// <c>Accepts</c> would also make routing refuse other content types before a handler can explain the error.
    /// </summary>
    private static RouteHandlerBuilder AcceptsPhotoForm(this RouteHandlerBuilder builder, params string[] textFields) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            var properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
            {
                [Uploads.PhotoField] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" },
            };
            foreach (var field in textFields)
            {
                properties[field] = new OpenApiSchema { Type = JsonSchemaType.String };
            }

            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal)
                {
                    ["multipart/form-data"] = new()
                    {
                        Schema = new OpenApiSchema
                        {
                            Type = JsonSchemaType.Object,
                            Required = new HashSet<string>(StringComparer.Ordinal) { Uploads.PhotoField },
                            Properties = properties,
                        },
                    },
                },
            };
            return Task.CompletedTask;
        });

    private static void WarnIfExposed(WebApplication app)
    {
        var state = app.Services.GetRequiredService<ServerState>();
        foreach (var url in state.Options.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Uri.TryCreate(url.Replace("*", "0.0.0.0", StringComparison.Ordinal).Replace("+", "0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri)
                && uri.Host != "localhost" && !(IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip)))
            {
                app.Logger.LogWarning("Listening on {Url}: the collection's photos can be seen from other machines.", url);
            }
        }
    }

    private static async Task ServeAsset(HttpContext context, string name)
    {
        var asset = StaticAssets.Find(name);
        if (asset is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            await context.Response.WriteAsJsonAsync(ApiResults.ErrorBody(context, "not found"));
            return;
        }

        context.Response.Headers.ETag = asset.ETag;
        context.Response.Headers.CacheControl = "no-cache";
        if (context.Request.Headers.IfNoneMatch == asset.ETag)
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        context.Response.ContentType = asset.ContentType;
        context.Response.ContentLength = asset.Bytes.Length;
        await context.Response.Body.WriteAsync(asset.Bytes, context.RequestAborted);
    }

    private static List<ApiHit> ToApiHits(AnsweredHits result) => [.. result.Hits.Select((hit, i) => new ApiHit(hit.Rank, hit.FaceId,
        hit.ImageId, hit.Label, hit.Distance, hit.Similarity, Box(hit.Box), ThumbnailUrl(hit.FaceId), ImageUrl(hit.ImageId),
        result.Policy is null ? null : result.VerdictOf(i).Word(), Path.GetFileName(hit.Path.Replace("!/", "/", StringComparison.Ordinal)),
        hit.LowQuality, hit.TimeSeconds is { } t ? Math.Round(t, 3) : null))];

    private static FaceResponse ToFaceResponse(FaceRecord face, ImageRecord? image) => new(face.FaceId, face.ImageId,
        face.Ordinal, face.Label, Box(face.Box), face.Score, Points(face.Landmarks), image?.Width, image?.Height,
        ThumbnailUrl(face.FaceId), ImageUrl(face.ImageId));

    private static StatsResponse ToStats(CollectionStats stats) => new(stats.Images, stats.Faces, stats.People,
        stats.ImagesByStatus.ToDictionary(p => p.Key.ToString().ToLowerInvariant(), p => p.Value), stats.SizeOnDiskBytes,
        stats.Settings.Pipeline.Name, stats.Settings.Pipeline.ModelId, stats.Settings.Pipeline.Dimensions,
        stats.LoadedIndexKind, stats.IndexedVectors);

    private static string ThumbnailUrl(long faceId) => $"/api/faces/{faceId}/thumbnail";

    private static string ImageUrl(long imageId) => $"/api/images/{imageId}";

    private static float[] Box(RectangleF box) => [box.X, box.Y, box.Width, box.Height];

    private static float[][] Points(PointF[] points) => points.Select(p => new[] { p.X, p.Y }).ToArray();
}
