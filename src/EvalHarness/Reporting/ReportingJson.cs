using System.Text.Json;
using System.Text.Json.Serialization;

namespace EvalHarness.Reporting;

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(EnvironmentInfo))]
internal sealed partial class ReportingJsonContext : JsonSerializerContext;

internal static class EnvironmentJson
{
    public static string Serialize(EnvironmentInfo env) => JsonSerializer.Serialize(env, ReportingJsonContext.Default.EnvironmentInfo);

    public static EnvironmentInfo? Deserialize(string json) => JsonSerializer.Deserialize(json, ReportingJsonContext.Default.EnvironmentInfo);
}
