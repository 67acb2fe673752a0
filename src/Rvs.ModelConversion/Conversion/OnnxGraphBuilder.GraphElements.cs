using System.Globalization;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;
using Rvs.Models.TfLite;

namespace Rvs.Models.Conversion;

/// <summary>
/// Construction of the ONNX protobuf pieces: nodes with unique names, initializers with little-endian raw data,
/// attributes and value infos.
/// </summary>
internal sealed partial class OnnxGraphBuilder
{
    private NodeProto AddNode(string operatorType, IEnumerable<string> inputs, IEnumerable<string> outputs)
    {
        var node = new NodeProto { OpType = operatorType };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Name = FreshName(node.Output[0] + "_" + operatorType.ToLowerInvariant());
        graph.Node.Add(node);
        return node;
    }

    private string FreshName(string wanted)
    {
        var name = wanted;
        for (var suffix = 1; !usedNames.Add(name); suffix++)
        {
            name = wanted + "_" + suffix.ToString(CultureInfo.InvariantCulture);
        }

        return name;
    }

    private string AddConstant(TfLiteTensor tensor, string name, long[] dims, ByteString data)
    {
        var initializer = new TensorProto { Name = name, DataType = (int)OnnxDataType(tensor), RawData = data };
        initializer.Dims.AddRange(dims);
        graph.Initializer.Add(initializer);
        return name;
    }

    private string AddInitializer(string name, long[] dims, float[] data)
    {
        var initializer = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = LittleEndianBytes<float>(data) };
        initializer.Dims.AddRange(dims);
        graph.Initializer.Add(initializer);
        return name;
    }

    private string AddInt64Initializer(string name, long[] dims, long[] data)
    {
        var initializer = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64, RawData = LittleEndianBytes<long>(data) };
        initializer.Dims.AddRange(dims);
        graph.Initializer.Add(initializer);
        return name;
    }

    private static ByteString LittleEndianBytes<T>(T[] values)
        where T : struct
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("ONNX raw tensor data is little-endian; big-endian hosts are not supported.");
        }

        return ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
    }

    private static ByteString TensorBytes(TfLiteTensor tensor) => tensor.Type switch
    {
        TfLiteTensorType.Float32 => LittleEndianBytes(tensor.FloatData()),
        // Shape-like int32 constants are widened because ONNX shape and axis inputs are int64.
        TfLiteTensorType.Int32 or TfLiteTensorType.Int64 => LittleEndianBytes(tensor.IntegerData()),
        _ => throw new NotSupportedException($"Constant '{tensor.Name}' has type {tensor.Type}; only float32 and integer constants are supported."),
    };

    private static TensorProto.Types.DataType OnnxDataType(TfLiteTensor tensor) => tensor.Type switch
    {
        TfLiteTensorType.Float32 => TensorProto.Types.DataType.Float,
        TfLiteTensorType.Int32 or TfLiteTensorType.Int64 => TensorProto.Types.DataType.Int64,
        _ => throw new NotSupportedException($"Tensor '{tensor.Name}' has type {tensor.Type}."),
    };

    /// <summary>Reorders a dense row-major tensor: result axis i is source axis permutation[i].</summary>
    internal static float[] Permute(float[] data, int[] shape, int[] permutation)
    {
        var rank = shape.Length;
        var sourceStrides = new int[rank];
        var stride = 1;
        for (var axis = rank - 1; axis >= 0; axis--)
        {
            sourceStrides[axis] = stride;
            stride *= shape[axis];
        }

        var targetShape = permutation.Select(p => shape[p]).ToArray();
        var result = new float[data.Length];
        var index = new int[rank];
        for (var target = 0; target < result.Length; target++)
        {
            var sourceOffset = 0;
            for (var axis = 0; axis < rank; axis++)
            {
                sourceOffset += index[axis] * sourceStrides[permutation[axis]];
            }

            result[target] = data[sourceOffset];
            for (var axis = rank - 1; axis >= 0; axis--)
            {
                if (++index[axis] < targetShape[axis])
                {
                    break;
                }

                index[axis] = 0;
            }
        }

        return result;
    }

    private static ValueInfoProto ValueInfo(string name, Dimension[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
        {
            var onnxDim = new TensorShapeProto.Types.Dimension();
            if (dim.Value is { } value)
            {
                onnxDim.DimValue = value;
            }
            else if (dim.Parameter is { } parameter)
            {
                onnxDim.DimParam = parameter;
            }

            shape.Dim.Add(onnxDim);
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    private static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    private static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };
}
