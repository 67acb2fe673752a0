using System.CommandLine;
using Microsoft.Extensions.Hosting;
using Rvs.Server;
using Rvs.Server.Observability;

namespace Rvs.Cli.Commands;

/// <summary>`rvs serve`: the HTTP API and web page over one collection.</summary>
internal static class ServeCommands
{
    public const string ApiKeyVariable = "RVS_API_KEY";

    internal static Command Serve()
    {
        var collection = new Option<DirectoryInfo?>("--collection", "-c") { Description = "The collection directory to serve (or --catalog)." };
        var catalog = CollectionCommands.CatalogOption();
        var urls = new Option<string>("--urls")
        {
            Description = "Where to listen (semicolon-separated). Loopback by default: other machines cannot reach the photos.",
            DefaultValueFactory = _ => ServerOptions.DefaultUrls,
        };
        var apiKey = new Option<string?>("--api-key")
        {
            Description = $"Allow adding and removing photos to callers sending this key in {RvsServer.ApiKeyHeader} (default: ${ApiKeyVariable}; without one, writes are refused).",
        };
        var apiKeyFile = new Option<FileInfo?>("--api-key-file")
        {
            Description = "Read the API key from this file (first line), so it does not show in `ps` as --api-key does.",
        };
        var allowedHosts = new Option<string[]>("--allowed-hosts")
        {
            Description = "Host names requests may name in their Host header (default: the hosts of --urls; loopback names for a loopback URL).",
            AllowMultipleArgumentsPerToken = true,
        };
        var maxUpload = new Option<int>("--max-upload-mb")
        {
            Description = "Largest photo accepted, in megabytes.",
            DefaultValueFactory = _ => ServerOptions.DefaultMaxUploadMegabytes,
        };
        maxUpload.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 1024)
            {
                result.AddError("--max-upload-mb must be from 1 to 1024");
            }
        });
        var uploadBudget = new Option<int>("--upload-budget-mb")
        {
            Description = "Megabytes of uploads held in memory at once; an upload beyond them is answered 503 (retry later).",
            DefaultValueFactory = _ => ServerOptions.DefaultUploadBudgetMegabytes,
        };
        var maxConnections = new Option<int>("--max-connections")
        {
            Description = "Open connections accepted at once; those beyond are closed straight away.",
            DefaultValueFactory = _ => ServerOptions.DefaultMaxConnections,
        };
        maxConnections.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--max-connections must be at least 1");
            }
        });

        var logFormat = new Option<string>("--log-format")
        {
            Description = "How log lines are written: plain text, or json (one object a line, with each request's request_id), for a log collector.",
            DefaultValueFactory = _ => "plain",
        }.AcceptOnlyFromAmong("plain", "json");

        var backEnd = new BackEndOptions();
        var targetFpir = CollectionCommands.TargetFpirOption();
        var command = new Command("serve", "Serve a collection over HTTP: a search-by-photo web page and a JSON API (/openapi/v1.json).")
        {
            collection, catalog, urls, apiKey, apiKeyFile, allowedHosts, maxUpload, uploadBudget, maxConnections, targetFpir, logFormat,
        };
        backEnd.AddTo(command);
        command.Validators.Add(result =>
        {
            if ((result.GetValue(collection) is null) == (result.GetValue(catalog) is null))
            {
                result.AddError("rvs serve takes one collection: --collection DIRECTORY or --catalog postgresql://user@host:port/database");
            }
        });
        command.SetAction((parse, cancellationToken) => CliErrors.Run(async () =>
        {
            var key = parse.GetValue(apiKey) ?? ReadKeyFile(parse.GetValue(apiKeyFile)) ?? Environment.GetEnvironmentVariable(ApiKeyVariable);
            var directory = parse.GetValue(catalog) ?? parse.GetValue(collection)!.FullName;
            // The budget holds whole uploads, each with its form around it: the largest must fit, or it could never be sent.
            if (parse.GetValue(uploadBudget) <= parse.GetValue(maxUpload))
            {
                throw new Rvs.Errors.InvalidRequestException("--upload-budget-mb must be larger than --max-upload-mb, so that one upload of the largest size fits");
            }

            // Checked before the collection is opened, so a mistyped address leaves the collection as it was.
            if (ServerOptions.ProblemWithUrls(parse.GetValue(urls)!) is { } badUrls)
            {
                throw new Rvs.Errors.InvalidRequestException(badUrls);
            }

            await using var app = RvsServer.Build(new ServerOptions
            {
                CollectionDirectory = directory,
                Urls = parse.GetValue(urls)!,
                ApiKey = string.IsNullOrEmpty(key) ? null : key,
                MaxUploadBytes = parse.GetValue(maxUpload) * 1024L * 1024L,
                UploadBudgetBytes = parse.GetValue(uploadBudget) * 1024L * 1024L,
                MaxConnections = parse.GetValue(maxConnections),
                CollectionOptions = backEnd.Resolve(parse, directory),
                AllowedHosts = parse.GetValue(allowedHosts) is { Length: > 0 } hosts ? hosts : null,
                TargetFpir = parse.GetValue(targetFpir),
                LogFormat = parse.GetValue(logFormat) == "json" ? ServerLogFormat.Json : ServerLogFormat.Plain,
            });
            // The host's own RunAsync takes a URL; this overload stops on the token System.CommandLine cancels on Ctrl+C.
            await HostingAbstractionsHostExtensions.RunAsync(app, cancellationToken);
            return 0;
        }));
        return command;
    }

    private static string? ReadKeyFile(FileInfo? file)
    {
        if (file is null)
        {
            return null;
        }

        try
        {
            return File.ReadLines(file.FullName).FirstOrDefault()?.Trim() is { Length: > 0 } key
                ? key
                : throw new Rvs.Errors.InvalidRequestException($"the API key file '{file.FullName}' is empty");
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new Rvs.Errors.NotFoundException($"the API key file '{file.FullName}' does not exist", e);
        }
    }
}
