using Rvs.Models.TfLite;

namespace Rvs.Models.Conversion;

/// <summary>
/// The two forms of each TFLite tensor (natural layout and NCHW copy), each made on first use by a transpose,
/// an initializer or an unsqueeze.
/// </summary>
internal sealed partial class OnnxGraphBuilder
{
    private void Define(TfLiteTensor tensor, string onnxName)
    {
        if (tensor.Rank == 4)
        {
            DefineNchw(tensor.Index, onnxName);
        }
        else
        {
            DefineNatural(tensor.Index, onnxName);
        }
    }

    private void DefineNchw(int index, string onnxName) => nchwForm[index] = onnxName;

    private void DefineNatural(int index, string onnxName) => naturalForm[index] = onnxName;

    private string Natural(int index)
    {
        if (naturalForm.TryGetValue(index, out var name))
        {
            return name;
        }

        var tensor = source.Tensors[index];
        if (tensor.IsConstant)
        {
            name = AddConstant(tensor, tensor.Name, tensor.Shape.Select(d => (long)d).ToArray(), TensorBytes(tensor));
        }
        else if (nchwForm.TryGetValue(index, out var nchw))
        {
            name = Transpose(nchw, NchwToNhwc, tensor.Name);
        }
        else
        {
            throw new InvalidDataException($"Tensor '{tensor.Name}' is read before any operator writes it.");
        }

        naturalForm[index] = name;
        return name;
    }

    private string Nchw(int index)
    {
        if (nchwForm.TryGetValue(index, out var name))
        {
            return name;
        }

        var tensor = source.Tensors[index];
        if (tensor.Rank != 4)
        {
            throw new InvalidOperationException($"Tensor '{tensor.Name}' has rank {tensor.Rank}; only rank-4 tensors have an NCHW form.");
        }

        if (tensor.IsConstant)
        {
            var shape = tensor.Shape;
            name = AddInitializer(FreshName(tensor.Name + "_nchw"), [shape[0], shape[3], shape[1], shape[2]], Permute(tensor.FloatData(), shape, [0, 3, 1, 2]));
        }
        else
        {
            name = Transpose(Natural(index), NhwcToNchw, FreshName(tensor.Name + "_nchw"));
        }

        nchwForm[index] = name;
        return name;
    }

    /// <summary>
    /// An operand of an elementwise op whose result is rank 4. NHWC broadcasting aligns trailing axes, so a
    /// per-channel constant of shape [C] means [1,1,1,C]; in NCHW that must become [1,C,1,1].
    /// </summary>
    private string NchwBroadcastable(int index)
    {
        var tensor = source.Tensors[index];
        if (tensor.Rank == 4)
        {
            return Nchw(index);
        }

        if (tensor.Rank > 4)
        {
            throw new NotSupportedException($"Tensor '{tensor.Name}' has rank {tensor.Rank}; at most rank 4 is supported.");
        }

        var padded = Enumerable.Repeat(1, 4 - tensor.Rank).Concat(tensor.Shape).ToArray();
        if (tensor.IsConstant)
        {
            return AddInitializer(FreshName(tensor.Name + "_nchw"), [padded[0], padded[3], padded[1], padded[2]], Permute(tensor.FloatData(), padded, [0, 3, 1, 2]));
        }

        var axes = Enumerable.Range(0, 4 - tensor.Rank).Select(a => (long)a).ToArray();
        var unsqueezed = AddNode("Unsqueeze", [Natural(index), AddInt64Initializer(FreshName(tensor.Name + "_unsqueeze_axes"), [axes.Length], axes)],
            [FreshName(tensor.Name + "_rank4")]).Output[0];
        return Transpose(unsqueezed, NhwcToNchw, FreshName(tensor.Name + "_rank4_nchw"));
    }

    private string Transpose(string input, long[] permutation, string output)
    {
        var node = AddNode("Transpose", [input], [output]);
        node.Attribute.Add(Ints("perm", permutation));
        return output;
    }
}
