using System.CommandLine;
using System.Text.RegularExpressions;
using EvalHarness.Cli;
using EvalHarness.Cli.Interaction;
using EvalHarness.IO;

namespace EvalHarness.Tests.Cli;

/// <summary>
/// The CLI's house rules, checked on the real verbs and their sources: one file per verb, options
/// described one way (shared options identical everywhere), output only through <see cref="CliOutput"/>,
/// exceptions turned into messages only in <see cref="CliRunner"/>.
/// </summary>
public sealed partial class VerbConventionsTests
{
    private static readonly string[] SharedOptions = ["--root", "--split", "--limit"];
    private static readonly string[] ConsoleWriters = ["Interaction/CliOutput.cs"];
    private static readonly string[] SpectreUsers = ["Interaction/CliOutput.cs", "Interaction/ConsoleRunObserver.cs"];
    private static readonly string[] Catchers = ["CliRunner.cs", "Interaction/CliOutput.cs", "Verbs/EvaluateVerb.cs"];

    [Fact]
    public void Every_description_starts_with_a_capital_letter_ends_without_a_period_and_writes_defaults_one_way()
    {
        var bad = new List<string>();
        foreach (var command in AllCommands())
        {
            Check(command.Name, command.Description);
            foreach (var argument in command.Arguments) Check($"{command.Name} <{argument.Name}>", argument.Description);
            foreach (var option in command.Options.Where(o => o is not System.CommandLine.Help.HelpOption)) Check($"{command.Name} {option.Name}", option.Description);
        }
        Assert.Empty(bad);

        void Check(string what, string? description)
        {
            if (string.IsNullOrWhiteSpace(description) || !char.IsUpper(description[0]) || description.EndsWith('.')
                || description.Contains("(default ", StringComparison.Ordinal)) // a run-time default reads "(default: …)"
            {
                bad.Add($"{what}: '{description}'");
            }
        }
    }

    [Fact]
    public void A_shared_option_reads_the_same_in_every_verb()
    {
        var options = AllCommands().SelectMany(c => c.Options).Where(o => SharedOptions.Contains(o.Name)).ToList();
        foreach (var name in SharedOptions)
        {
            var same = options.Where(o => o.Name == name).ToList();
            Assert.True(same.Count >= 2, $"{name} is declared by {same.Count} verb(s); the list of shared options is stale");
            Assert.Single(same.Select(o => (o.Description, o.ValueType)).Distinct());
        }
    }

    [Fact]
    public void Each_verb_is_the_one_type_of_its_own_file()
    {
        var verbs = typeof(Verb).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(Verb))).Select(t => t.Name).Order().ToList();
        var files = Directory.GetFiles(Path.Combine(CliSources(), "Verbs"), "*.cs").Select(f => Path.GetFileNameWithoutExtension(f)).Order().ToList();
        Assert.Equal(verbs, files);
        Assert.Equal(verbs.Count, Verbs.All(CliOutput.Console).Count());
        foreach (var file in Directory.GetFiles(Path.Combine(CliSources(), "Verbs"), "*.cs"))
        {
            var topLevel = TopLevelType().Matches(File.ReadAllText(file)).Select(m => m.Groups["name"].Value);
            Assert.Equal(new[] { Path.GetFileNameWithoutExtension(file) }, topLevel);
        }
    }

    [Fact]
    public void Only_the_output_writer_touches_the_console_and_only_the_runner_catches()
    {
        var sources = Directory.GetFiles(CliSources(), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToDictionary(f => Path.GetRelativePath(CliSources(), f).Replace('\\', '/'), File.ReadAllText);
        Assert.Contains("Verbs/RunVerb.cs", sources.Keys);

        var console = sources.Where(s => ConsoleUse().IsMatch(s.Value)).Select(s => s.Key).Order();
        Assert.Equal(ConsoleWriters, console);
        var spectre = sources.Where(s => s.Value.Contains("AnsiConsole", StringComparison.Ordinal)).Select(s => s.Key).Order();
        Assert.Equal(SpectreUsers, spectre);
        // CliRunner turns exceptions into messages; evaluate --lenient skips an unreadable folder (its
        // documented partial failure); CliOutput ignores a terminal that went away while restoring the cursor.
        var catching = sources.Where(s => s.Value.Contains("catch", StringComparison.Ordinal)).Select(s => s.Key).Order();
        Assert.Equal(Catchers, catching);
    }

    private static IEnumerable<Command> AllCommands()
    {
        var stack = new Stack<Command>(Verbs.All(CliOutput.Console).Select(v => v.Create()));
        while (stack.Count > 0)
        {
            var command = stack.Pop();
            yield return command;
            foreach (var sub in command.Subcommands) stack.Push(sub);
        }
    }

    private static string CliSources()
    {
        var repo = DataPaths.FindRepositoryRoot(AppContext.BaseDirectory);
        Assert.NotNull(repo);
        return Path.Combine(repo, "src", "EvalHarness.Cli");
    }

    [GeneratedRegex(@"^(?:internal|public)\s[\w\s]*?\b(?:class|record|struct|interface|enum)\s+(?<name>\w+)", RegexOptions.Multiline)]
    private static partial Regex TopLevelType();

    [GeneratedRegex(@"(?<![\w.])(?:System\.)?Console\.(?:Write|Out|Error|Set|In\b|Read)")]
    private static partial Regex ConsoleUse();
}
