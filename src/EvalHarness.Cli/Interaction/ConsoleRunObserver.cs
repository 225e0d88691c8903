using EvalHarness.Runs;
using Spectre.Console;

namespace EvalHarness.Cli.Interaction;

/// <summary>
/// Renders run progress: a Spectre progress bar with ETA on an interactive terminal, plain
/// "image n/N" lines when output is redirected (CI logs, pipes). Warnings go to stderr either way.
/// </summary>
internal sealed class ConsoleRunObserver : IRunObserver
{
    private readonly CliOutput _output;
    private readonly ProgressTask? _task;
    private readonly string _title;
    private int _lastPlainPercent = -1;

    private ConsoleRunObserver(CliOutput output, ProgressTask? task, string title)
    {
        _output = output;
        _task = task;
        _title = title;
    }

    /// <summary>Runs <paramref name="body"/> with a progress display suited to the console; <paramref name="expectedTotal"/> may be 0 when unknown.</summary>
    public static T Run<T>(CliOutput output, string title, int expectedTotal, Func<ConsoleRunObserver, T> body)
    {
        if (!CliOutput.IsInteractive) return body(new ConsoleRunObserver(output, null, title));
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(title), maxValue: Math.Max(1, expectedTotal));
                result = output.WhileLive(() => body(new ConsoleRunObserver(output, task, title)));
                task.Value = task.MaxValue;
            });
        return result;
    }

    public void OnImageDone(RunProgress progress)
    {
        if (_task is not null)
        {
            _task.MaxValue = Math.Max(1, progress.Total);
            _task.Value = progress.Done;
            _task.Description = Markup.Escape($"{_title}: image {progress.Done}/{progress.Total}");
            return;
        }
        // Plain mode: a line per 10% (and the last image) keeps CI logs short but alive.
        var percent = progress.Total == 0 ? 100 : progress.Done * 100 / progress.Total;
        if (percent / 10 != _lastPlainPercent / 10 || progress.Done == progress.Total)
        {
            _lastPlainPercent = percent;
            _output.Line($"  image {progress.Done}/{progress.Total} ({percent}%){(progress.Resumed ? " resumed" : "")}");
        }
    }

    public void OnWarning(string message) => _output.Warning(message);

    public void OnInfo(string message) => _output.Line(message);

    public void OnPhase(string description)
    {
        if (_task is not null)
        {
            _task.Description = Markup.Escape($"{_title}: {description}");
            _task.IsIndeterminate = true;
            return;
        }
        _output.Line($"  {description}…");
    }
}
