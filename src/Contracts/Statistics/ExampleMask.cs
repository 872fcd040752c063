namespace StableSnn.Contracts;

/// <summary>
/// Per-example correctness (bit i set: image i was classified correctly) packed 8 per byte, least significant bit
/// first, as base64: 1,000 images take 168 characters in result.json, so worst cases and paired tests can be
/// recomputed for any subset of attacks without re-running them.
/// </summary>
public static class ExampleMask
{
    public static string Pack(IReadOnlyList<bool> correct)
    {
        var bytes = new byte[(correct.Count + 7) / 8];
        for (int i = 0; i < correct.Count; i++)
            if (correct[i]) bytes[i / 8] |= (byte)(1 << (i % 8));
        return Convert.ToBase64String(bytes);
    }

    public static bool[] Unpack(string packed, int count)
    {
        var bytes = Convert.FromBase64String(packed);
        if (bytes.Length != (count + 7) / 8)
            throw new FormatException($"a mask of {count} examples needs {(count + 7) / 8} bytes, not {bytes.Length}");
        var correct = new bool[count];
        for (int i = 0; i < count; i++) correct[i] = (bytes[i / 8] & (1 << (i % 8))) != 0;
        return correct;
    }

    /// <summary>Images right in both masks (e.g. clean and under an attack): the worst case is the AND over a suite.</summary>
    public static bool[] And(bool[] a, bool[] b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"masks of {a.Length} and {b.Length} examples cannot be paired");
        var result = new bool[a.Length];
        for (int i = 0; i < a.Length; i++) result[i] = a[i] && b[i];
        return result;
    }

    /// <summary>Images right in <paramref name="start"/> and in every one of <paramref name="others"/>.</summary>
    public static bool[] AndAll(bool[] start, IEnumerable<bool[]> others) => others.Aggregate(start, And);

    /// <summary>(right under <paramref name="first"/> only, right under <paramref name="second"/> only): McNemar's discordant pairs.</summary>
    public static (int OnlyFirst, int OnlySecond) Discordant(bool[] first, bool[] second)
    {
        if (first.Length != second.Length) throw new ArgumentException($"masks of {first.Length} and {second.Length} examples cannot be paired");
        int b = 0, c = 0;
        for (int i = 0; i < first.Length; i++)
        {
            if (first[i] && !second[i]) b++;
            else if (!first[i] && second[i]) c++;
        }
        return (b, c);
    }
}
