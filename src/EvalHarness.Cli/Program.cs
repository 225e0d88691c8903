using System.CommandLine;
using EvalHarness.Cli;
using EvalHarness.Cli.Interaction;

var root = new RootCommand("EvalHarness: WIDER FACE evaluation and post-processing benchmark harness");
foreach (var verb in Verbs.All(CliOutput.Console)) root.Subcommands.Add(verb.Create());
return await CliRunner.InvokeAsync(root, args, CliOutput.Console);
