namespace EvalHarness.Datasets;

/// <summary>An image the pipeline processes; <see cref="Path"/> is null for synthetic images.</summary>
public sealed record ImageRef(string Event, string ImageKey, string? Path, int Width, int Height);
