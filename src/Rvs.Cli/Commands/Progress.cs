using Spectre.Console;

namespace Rvs.Cli.Commands;

/// <summary>
/// Live progress bars for long work (count, rate, ETA), drawn on stderr so stdout stays clean for --json
/// and pipes. When stderr is not a terminal the bar degrades to nothing rather than flooding a log.
/// </summary>
internal static class Progress
{
    public static IAnsiConsole Console { get; } = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(System.Console.Error),
    });

    /// <summary>Runs <paramref name="work"/> with one progress bar fed by (done, total) reports.</summary>
    public static T Run<T>(string title, Func<IProgress<(int Done, int Total)>, T> work) =>
        Run<(int Done, int Total), T>(title, report => (report.Done, report.Total), work);

    /// <summary>Runs <paramref name="work"/> with one progress bar; <paramref name="measure"/> reads (done, total or null) from each report.</summary>
    public static T Run<TReport, T>(string title, Func<TReport, (long Done, long? Total)> measure, Func<IProgress<TReport>, T> work)
    {
        if (System.Console.IsErrorRedirected)
        {
            return work(new Progress<TReport>());
        }

        return Console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                     new CountColumn(), new RateColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask(title, maxValue: 1);
                var result = work(new SynchronousProgress<TReport>(task, measure));
                task.StopTask();
                return result;
            });
    }

    /// <summary>Updates the bar on the reporting thread (Progress&lt;T&gt; would post to a thread pool and lag).</summary>
    private sealed class SynchronousProgress<TReport>(ProgressTask task, Func<TReport, (long Done, long? Total)> measure) : IProgress<TReport>
    {
        public void Report(TReport value)
        {
            var (done, total) = measure(value);
            task.IsIndeterminate = total is null or 0;
            if (total > 0)
            {
                task.MaxValue = total.Value;
            }

            task.Value = done;
        }
    }

    private sealed class CountColumn : ProgressColumn
    {
        public override Spectre.Console.Rendering.IRenderable Render(Spectre.Console.Rendering.RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text($"{task.Value:0}/{task.MaxValue:0}");
    }

    private sealed class RateColumn : ProgressColumn
    {
        public override Spectre.Console.Rendering.IRenderable Render(Spectre.Console.Rendering.RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(task.Speed is { } speed ? $"{speed:0.0}/s" : "-");
    }
}
