using System.Buffers.Binary;
using System.Text;

namespace StableSnn.NativeFixup;

/// <summary>Read-only view of the parts of a little-endian ELF64 shared object that symbol versioning uses.</summary>
public sealed class ElfFile
{
    const uint ShtRela = 4, ShtRel = 9, ShtDynsym = 11;
    const uint ShtGnuVerdef = 0x6ffffffd, ShtGnuVerneed = 0x6ffffffe, ShtGnuVersym = 0x6fffffff;
    public const ushort VerFlagWeak = 0x2;

    readonly byte[] _bytes;
    readonly List<Section> _sections = [];

    public ElfFile(byte[] bytes, string name)
    {
        _bytes = bytes;
        if (bytes.Length < 64 || bytes[0] != 0x7f || bytes[1] != (byte)'E' || bytes[2] != (byte)'L' || bytes[3] != (byte)'F')
            throw new InvalidDataException($"{name} is not an ELF file.");
        if (bytes[4] != 2 || bytes[5] != 1)
            throw new InvalidDataException($"{name} is not a little-endian ELF64 file.");
        ulong shoff = U64(0x28);
        int shentsize = U16(0x3A), shnum = U16(0x3C);
        if (shoff == 0 || shnum == 0)
            throw new InvalidDataException($"{name} has no section headers; symbol versions cannot be inspected.");
        for (int i = 0; i < shnum; i++)
        {
            int o = checked((int)shoff + i * shentsize);
            _sections.Add(new Section(U32(o + 4), (int)U64(o + 24), (int)U64(o + 32), (int)U32(o + 40), (int)U64(o + 56)));
        }
    }

    public byte[] Bytes => _bytes;

    /// <summary>Version names a library defines (.gnu.version_d).</summary>
    public IReadOnlySet<string> DefinedVersions()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in _sections.Where(s => s.Type == ShtGnuVerdef))
        {
            var strtab = _sections[s.Link];
            int o = s.Offset;
            while (true)
            {
                // Verdef: version(2) flags(2) ndx(2) cnt(2) hash(4) aux(4) next(4); first Verdaux names the version.
                int aux = o + (int)U32(o + 12);
                names.Add(Str(strtab, U32(aux)));
                uint next = U32(o + 16);
                if (next == 0) break;
                o += (int)next;
            }
        }
        return names;
    }

    /// <summary>Every version requirement (.gnu.version_r): which file, which version, its index and flags.</summary>
    public IReadOnlyList<VersionNeed> VersionNeeds()
    {
        var needs = new List<VersionNeed>();
        foreach (var s in _sections.Where(s => s.Type == ShtGnuVerneed))
        {
            var strtab = _sections[s.Link];
            int o = s.Offset;
            while (true)
            {
                // Verneed: version(2) cnt(2) file(4) aux(4) next(4). Vernaux: hash(4) flags(2) other(2) name(4) next(4).
                int cnt = U16(o + 2);
                string file = Str(strtab, U32(o + 4));
                int a = o + (int)U32(o + 8);
                for (int i = 0; i < cnt; i++)
                {
                    needs.Add(new VersionNeed(file, Str(strtab, U32(a + 8)), U16(a + 6), U16(a + 4), a + 4));
                    uint anext = U32(a + 12);
                    if (anext == 0) break;
                    a += (int)anext;
                }
                uint next = U32(o + 12);
                if (next == 0) break;
                o += (int)next;
            }
        }
        return needs;
    }

    /// <summary>Dynamic symbols that carry the given version index, and whether a relocation binds each one.</summary>
    public IReadOnlyList<VersionedSymbol> SymbolsWithVersion(int versionIndex)
    {
        var dynsymIndex = _sections.FindIndex(s => s.Type == ShtDynsym);
        if (dynsymIndex < 0) return [];
        var dynsym = _sections[dynsymIndex];
        var strtab = _sections[dynsym.Link];
        var versym = _sections.FirstOrDefault(s => s.Type == ShtGnuVersym);
        if (versym is null) return [];

        var bound = new HashSet<long>();
        foreach (var rel in _sections.Where(s => (s.Type == ShtRela || s.Type == ShtRel) && s.Link == dynsymIndex))
        {
            int entsize = rel.EntSize != 0 ? rel.EntSize : (rel.Type == ShtRela ? 24 : 16);
            for (int o = rel.Offset; o + entsize <= rel.Offset + rel.Size; o += entsize)
                bound.Add((long)(U64(o + 8) >> 32));
        }

        var result = new List<VersionedSymbol>();
        int count = dynsym.Size / 24;
        for (int i = 0; i < count; i++)
        {
            if ((U16(versym.Offset + 2 * i) & 0x7fff) != versionIndex) continue;
            result.Add(new VersionedSymbol(Str(strtab, U32(dynsym.Offset + 24 * i)), bound.Contains(i)));
        }
        return result;
    }

    public void SetFlags(VersionNeed need, ushort flags) =>
        BinaryPrimitives.WriteUInt16LittleEndian(_bytes.AsSpan(need.FlagsOffset), flags);

    ushort U16(int o) => BinaryPrimitives.ReadUInt16LittleEndian(_bytes.AsSpan(o));
    uint U32(int o) => BinaryPrimitives.ReadUInt32LittleEndian(_bytes.AsSpan(o));
    ulong U64(int o) => BinaryPrimitives.ReadUInt64LittleEndian(_bytes.AsSpan(o));

    string Str(Section strtab, uint offset)
    {
        int start = strtab.Offset + (int)offset, end = start;
        while (_bytes[end] != 0) end++;
        return Encoding.ASCII.GetString(_bytes, start, end - start);
    }

    sealed record Section(uint Type, int Offset, int Size, int Link, int EntSize);
}

public sealed record VersionNeed(string File, string Version, int Index, ushort Flags, int FlagsOffset)
{
    public bool IsWeak => (Flags & ElfFile.VerFlagWeak) != 0;
}

public sealed record VersionedSymbol(string Name, bool BoundByRelocation);
