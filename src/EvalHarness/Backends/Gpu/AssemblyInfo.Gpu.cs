using System.Runtime.CompilerServices;

// ILGPU generates its kernel launchers in a dynamic assembly named ILGPURuntime; the kernel
// argument structs stay internal to the library, so that assembly must see them.
[assembly: InternalsVisibleTo("ILGPURuntime")]
