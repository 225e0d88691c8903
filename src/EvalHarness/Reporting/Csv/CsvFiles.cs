using CsvHelper;
using EvalHarness.IO;

namespace EvalHarness.Reporting.Csv;

/// <summary>Atomic CSV writes and checked CSV reads of the <see cref="CsvRecordAttribute"/> record types.</summary>
internal static class CsvFiles
{
    // LF endings keep the committed baseline CSVs diff-friendly; readers accept either. Booleans
    // in lower case as in JSON and most CSV readers' output (reading accepts any case).
    private static readonly CsvWriterOptions WriterOptions = CsvWriterOptions.Default with { NewLine = "\n", TrueValue = "true", FalseValue = "false" };
    private static readonly CsvReaderOptions ReaderOptions = CsvReaderOptions.Default with { Separator = ',', TrackLineNumbers = true };

    public static void Write<T>(string path, IEnumerable<T> records)
    {
        AtomicFile.Write(path, stream =>
        {
            using var writer = CsvWriter.Create(stream, WriterOptions, leaveOpen: true);
            writer.WriteHeader<T>();
            foreach (var record in records) writer.WriteRecord(record);
        });
    }

    /// <summary>
    /// Reads every record of <paramref name="path"/>; a missing required column or an unreadable
    /// field becomes a <see cref="DataFormatException"/> naming the file and line.
    /// </summary>
    public static List<T> Read<T>(string path, IReadOnlyList<string> requiredColumns)
    {
        if (!File.Exists(path)) throw new DataFormatException(path, 0, "file not found");
        var records = new List<T>();
        try
        {
            using var reader = CsvReader.Create(File.OpenRead(path), ReaderOptions, leaveOpen: false);
            var headers = reader.Headers;
            var missing = new List<string>();
            foreach (var column in requiredColumns)
            {
                var found = false;
                foreach (var h in headers)
                {
                    if (string.Equals(h.Trim(), column, StringComparison.OrdinalIgnoreCase)) found = true;
                }
                if (!found) missing.Add(column);
            }
            if (missing.Count > 0) throw new DataFormatException(path, 1, $"missing column(s) {string.Join(", ", missing)}");
            foreach (var record in reader.GetRecords<T>()) records.Add(record);
        }
        catch (CsvFormatException ex)
        {
            throw new DataFormatException(path, (int)Math.Min(int.MaxValue, ex.LineNumber), ex.Message, ex);
        }
        catch (KeyNotFoundException ex)
        {
            throw new DataFormatException(path, 1, ex.Message, ex);
        }
        return records;
    }
}
