using System.CommandLine;
using EvalHarness.IO;

namespace EvalHarness.Cli;

/// <summary>
/// The one way the verbs declare options and arguments, and the options several verbs share (so
/// <c>--root</c>, <c>--models-dir</c>, <c>--split</c>, <c>--limit</c> read the same everywhere).
/// Descriptions start with a capital letter and end without a period, like System.CommandLine's own;
/// a default the parser knows is shown by the help as <c>[default: …]</c>, one decided at run time
/// is named in the description as <c>(default: …)</c>.
/// </summary>
internal static class VerbOptions
{
    /// <summary>An option the user may leave out (a nullable type, or a flag).</summary>
    public static Option<T> Optional<T>(string name, string description) => new(name) { Description = description };

    /// <summary>An option with a fixed default.</summary>
    public static Option<T> WithDefault<T>(string name, string description, T defaultValue) =>
        new(name) { Description = description, DefaultValueFactory = _ => defaultValue };

    /// <summary>An option the verb cannot run without.</summary>
    public static Option<T> Required<T>(string name, string description) => new(name) { Description = description, Required = true };

    /// <summary>An option that takes several values, after one flag (<c>--events a b</c>) or repeated.</summary>
    public static Option<string[]> Many(string name, string description, bool required = false)
    {
        var option = new Option<string[]>(name) { Description = description, AllowMultipleArgumentsPerToken = true };
        if (required)
        {
            option.Required = true;
            option.Arity = ArgumentArity.OneOrMore;
        }
        return option;
    }

    /// <summary>A positional argument.</summary>
    public static Argument<T> Argument<T>(string name, string description) => new(name) { Description = description };

    /// <summary>A positional argument of one or more values.</summary>
    public static Argument<string[]> Arguments(string name, string description) =>
        new(name) { Description = description, Arity = ArgumentArity.OneOrMore };

    public static Option<string?> Root() => Optional<string?>("--root", $"WIDER FACE root (default: ${DataPaths.WiderFaceRootVariable})");

    public static Option<string?> ModelsDir(string description = "Folder with the ONNX models, filled by scripts/get-models.sh") =>
        Optional<string?>("--models-dir", $"{description} (default: ${DataPaths.ModelsDirVariable} or models/)");

    public static Option<string> Split() => WithDefault("--split", "WIDER split", "val");

    public static Option<int?> Limit() => Optional<int?>("--limit", "At most this many images");
}
