using EvalHarness.IO;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.PixelFormats;

namespace EvalHarness.Detectors.Input;

/// <summary>Limits that keep a crafted image from exhausting memory.</summary>
public sealed record ImageLoadOptions
{
    /// <summary>Largest accepted width × height (default 64 Mpx; WIDER images are about 1 Mpx).</summary>
    public long MaxPixels { get; init; } = 64L * 1024 * 1024;

    /// <summary>Largest accepted file (default 256 MiB).</summary>
    public long MaxFileBytes { get; init; } = 256L * 1024 * 1024;
}

/// <summary>
/// Decodes JPEG, PNG and BMP (single-frame formats only, so no animation can multiply the memory)
/// into 8-bit RGB. The format comes from the file's content, not its extension. The dimensions
/// are read from the header before anything is decoded, and the allocator is capped as a second
/// line of defence. EXIF orientation is deliberately NOT applied: WIDER FACE's boxes refer to the
/// stored pixel grid. Grayscale, CMYK and YCCK JPEGs are converted to RGB by the decoder.
/// </summary>
public sealed class ImageLoader
{
    private readonly ImageLoadOptions _options;
    private readonly Configuration _configuration;

    public ImageLoader(ImageLoadOptions? options = null)
    {
        _options = options ?? new ImageLoadOptions();
        _configuration = new Configuration(new JpegConfigurationModule(), new PngConfigurationModule(), new BmpConfigurationModule())
        {
            // RGB24 at the pixel limit plus the decoder's working buffers
            MemoryAllocator = MemoryAllocator.Create(new MemoryAllocatorOptions
            {
                AllocationLimitMegabytes = (int)Math.Clamp(_options.MaxPixels * 4 / (1024 * 1024) + 64, 64, int.MaxValue),
            }),
        };
    }

    /// <summary>Loads <paramref name="path"/> as RGB; every failure is an <see cref="EvalHarnessException"/> naming the file.</summary>
    public Image<Rgb24> Load(string path)
    {
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) throw new DataFormatException(path, 0, "image file not found");
            if (info.Length == 0) throw new DataFormatException(path, 0, "image file is empty");
            if (info.Length > _options.MaxFileBytes) throw new DataFormatException(path, 0, $"image file is {info.Length} bytes, over the limit of {_options.MaxFileBytes}");
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException(path, 0, $"cannot read image: {ex.Message}", ex);
        }
        return Decode(path, bytes);
    }

    /// <summary>Decodes an in-memory image; <paramref name="name"/> is used in error messages.</summary>
    public Image<Rgb24> Decode(string name, byte[] bytes)
    {
        if (bytes.Length == 0) throw new DataFormatException(name, 0, "image file is empty");
        try
        {
            var info = Image.Identify(_configuration, bytes, out var format);
            if (info is null || format is null) throw new DataFormatException(name, 0, "not a JPEG, PNG or BMP image");
            var pixels = (long)info.Width * info.Height;
            if (info.Width <= 0 || info.Height <= 0) throw new DataFormatException(name, 0, $"image has no pixels ({info.Width}x{info.Height})");
            if (pixels > _options.MaxPixels) throw new DataFormatException(name, 0, $"image is {info.Width}x{info.Height} = {pixels} pixels, over the limit of {_options.MaxPixels}");
            if (format is JpegFormat && !EndsWithEndOfImage(bytes))
            {
                // ImageSharp fills a truncated scan with grey instead of failing; a detector run on
                // half an image would silently lose faces, so we insist on the EOI marker.
                throw new DataFormatException(name, 0, "JPEG is truncated (no end-of-image marker)");
            }
            return Image.Load<Rgb24>(_configuration, bytes);
        }
        catch (Exception ex) when (ex is UnknownImageFormatException or InvalidImageContentException or NotSupportedException or InvalidMemoryOperationException or ImageFormatException)
        {
            throw new DataFormatException(name, 0, $"cannot decode image: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is NullReferenceException or IndexOutOfRangeException or ArgumentException or InvalidOperationException or OverflowException)
        {
            // ImageSharp 2.1's decoders throw these on some corrupt headers (found by fuzzing): still a bad file.
            throw new DataFormatException(name, 0, $"cannot decode image (corrupt data: {ex.GetType().Name}: {ex.Message})", ex);
        }
    }

    /// <summary>JPEGs end with FF D9; tolerate trailing padding zeros or newlines that some writers append.</summary>
    private static bool EndsWithEndOfImage(byte[] bytes)
    {
        var end = bytes.Length;
        var limit = Math.Max(0, bytes.Length - 64);
        while (end > limit && (bytes[end - 1] == 0 || bytes[end - 1] == '\n' || bytes[end - 1] == '\r' || bytes[end - 1] == ' ')) end--;
        return end >= 2 && bytes[end - 2] == 0xFF && bytes[end - 1] == 0xD9;
    }
}
