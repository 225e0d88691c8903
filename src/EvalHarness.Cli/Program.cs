using System.CommandLine;
using EvalHarness.Cli;

var root = new RootCommand("EvalHarness: WIDER FACE evaluation and post-processing benchmark harness");
foreach (var verb in Verbs.All()) root.Subcommands.Add(verb);
return await CliRunner.InvokeAsync(root, args);
