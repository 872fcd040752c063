namespace StableSnn.Trainer.Data;

/// <summary>
/// Seeded splits and subsets. Permutations come from System.Random, not the torch RNG, so a split depends only on
/// the seed and the dataset size (reproducible across devices and libtorch versions).
/// </summary>
public static class DataSplit
{
    /// <summary>Splits off round(Count * fraction) random items as validation; fraction 0 gives an empty validation set.</summary>
    public static (ImageDataset Train, ImageDataset Validation) TrainValidation(ImageDataset train, double validationFraction, int seed)
    {
        if (!(validationFraction >= 0 && validationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "must be in [0, 1)");
        var order = Permutation(train.Count, new Random(seed));
        int validationCount = (int)Math.Round(train.Count * validationFraction);
        // Sorted indices keep the copies in file order (cache-friendly gathers); batches are shuffled later anyway.
        var validation = train.Select(Sorted(order[..validationCount]), $"{train.Name}/validation");
        try { return (train.Select(Sorted(order[validationCount..]), $"{train.Name}/train-split"), validation); }
        catch { validation.Dispose(); throw; }
    }

    /// <summary>The first <paramref name="size"/> items of a seeded permutation (null or >= Count: all), as a new dataset.</summary>
    public static ImageDataset Subset(ImageDataset ds, int? size, int seed)
    {
        if (size < 0)
            throw new ArgumentOutOfRangeException(nameof(size), size, "must not be negative");
        int take = Math.Min(size ?? ds.Count, ds.Count);
        return ds.Select(Sorted(Permutation(ds.Count, new Random(seed))[..take]));
    }

    /// <summary>Fisher-Yates shuffle of 0..count-1 driven by <paramref name="rng"/>.</summary>
    public static long[] Permutation(int count, Random rng)
    {
        var order = new long[count];
        for (int i = 0; i < count; i++)
            order[i] = i;
        for (int i = count - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    private static long[] Sorted(long[] indices)
    {
        Array.Sort(indices);
        return indices;
    }
}
