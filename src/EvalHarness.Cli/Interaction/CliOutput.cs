using Spectre.Console;

namespace EvalHarness.Cli.Interaction;

/// <summary>
/// The one writer of the executable: every verb and <see cref="CliRunner"/> print through it.
/// Results go to stdout; warnings, errors and progress lines to stderr, so a pipe or a file gets
/// the results alone. <see cref="Console"/> looks the process streams up at each call, so a caller
/// that redirects them (the tests' <c>Console.SetOut</c>) sees everything.
/// </summary>
internal sealed class CliOutput
{
    private readonly Func<TextWriter> _out;
    private readonly Func<TextWriter> _error;
    private bool _live;

    public CliOutput(Func<TextWriter> stdout, Func<TextWriter> stderr)
    {
        _out = stdout;
        _error = stderr;
    }

    /// <summary>The process's stdout and stderr.</summary>
    public static CliOutput Console { get; } = new(() => System.Console.Out, () => System.Console.Error);

    /// <summary>Stdout as a writer, for the library jobs that print their own table (<c>gpu-check</c>).</summary>
    public TextWriter Out => _out();

    /// <summary>Whether stdout is a terminal that can show a live progress bar.</summary>
    public static bool IsInteractive => !System.Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>One line of results on stdout.</summary>
    public void Line(string text = "")
    {
        // Spectre owns the terminal while its progress bar is live: a line written past it would tear the bar.
        if (_live) AnsiConsole.MarkupLine(Markup.Escape(text));
        else _out().WriteLine(text);
    }

    /// <summary>Text on stdout as it is (it carries its own line breaks).</summary>
    public void Write(string text) => _out().Write(text);

    /// <summary>A problem that did not stop the verb: <c>warning: …</c> on stderr.</summary>
    public void Warning(string message) => _error().WriteLine($"warning: {message}");

    /// <summary>Why the verb stopped: <c>error: …</c> on stderr (only <see cref="CliRunner"/> reports errors).</summary>
    public void Error(string message) => _error().WriteLine($"error: {message}");

    /// <summary>A line on stderr that is not a result: progress, a notice, a stack trace.</summary>
    public void Status(string text) => _error().WriteLine(text);

    /// <summary>Runs <paramref name="body"/> while a Spectre live display (the TTY progress bar) owns the terminal.</summary>
    public T WhileLive<T>(Func<T> body)
    {
        _live = true;
        try
        {
            return body();
        }
        finally
        {
            _live = false;
        }
    }

    /// <summary>A progress display interrupted mid-frame leaves the cursor hidden; show it again.</summary>
    public static void RestoreTerminal()
    {
        if (System.Console.IsOutputRedirected) return;
        try
        {
            AnsiConsole.Cursor.Show(true);
        }
        catch (IOException)
        {
            // the terminal went away; nothing to restore
        }
    }
}
