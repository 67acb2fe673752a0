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
    public static T Run<T>(string title, Func<IProgress<(int Done, int Total)>, T> work)
    {
        if (System.Console.IsErrorRedirected)
        {
            return work(new Progress<(int, int)>());
        }

        return Console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                     new CountColumn(), new RateColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask(title, maxValue: 1);
                var result = work(new SynchronousProgress(task));
                task.StopTask();
                return result;
            });
    }

    /// <summary>Updates the bar on the reporting thread (Progress&lt;T&gt; would post to a thread pool and lag).</summary>
    private sealed class SynchronousProgress(ProgressTask task) : IProgress<(int Done, int Total)>
    {
        public void Report((int Done, int Total) value)
        {
            if (value.Total > 0)
            {
                task.MaxValue = value.Total;
            }

            task.Value = value.Done;
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
