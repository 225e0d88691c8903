using System.CommandLine;
using EvalHarness.Cli.Interaction;
using EvalHarness.IO;

namespace EvalHarness.Cli;

/// <summary>
/// A verb of the executable, one per file under <c>Verbs/</c>. Its options and arguments are
/// fields made by <see cref="VerbOptions"/>; its bodies return an exit code (<see cref="ExitCodes"/>),
/// print only through <see cref="Output"/> and let exceptions reach <see cref="CliRunner"/>, the one
/// place that turns them into a message and an exit code.
/// </summary>
internal abstract class Verb(CliOutput output)
{
    protected CliOutput Output { get; } = output;

    /// <summary>The verb's command (a group of subcommands for <c>dataset</c>, <c>model</c>, <c>baseline</c>).</summary>
    public abstract Command Create();

    /// <summary>
    /// A command with its arguments and options (in help order) that runs <paramref name="body"/>;
    /// the body gets the token Ctrl-C and SIGTERM cancel.
    /// </summary>
    protected static Command Command(string name, string description, Symbol[] symbols, Func<ParseResult, CancellationToken, int> body)
    {
        var command = new Command(name, description);
        foreach (var symbol in symbols)
        {
            switch (symbol)
            {
                case Argument argument:
                    command.Arguments.Add(argument);
                    break;
                case Option option:
                    command.Options.Add(option);
                    break;
                default:
                    throw new ArgumentException($"{symbol.Name}: only arguments and options belong to a verb's command", nameof(symbols));
            }
        }
        command.SetAction((parse, cancellationToken) => Task.FromResult(body(parse, cancellationToken)));
        return command;
    }

    /// <summary>The WIDER FACE root from <c>--root</c> or the environment, with one message for every verb that has none.</summary>
    protected static string RequireWiderFaceRoot(string? rootOption) =>
        DataPaths.ResolveWiderFaceRoot(rootOption)
        ?? throw new UsageException($"no dataset: pass --root or set {DataPaths.WiderFaceRootVariable}");

    /// <summary>A verb made of subcommands only.</summary>
    protected static Command Group(string name, string description, params Command[] subcommands)
    {
        var group = new Command(name, description);
        foreach (var subcommand in subcommands) group.Subcommands.Add(subcommand);
        return group;
    }
}
