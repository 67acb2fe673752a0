namespace Rvs.Models.TfLite;

/// <summary>TFLite builtin operator codes; only those worth naming in an error message are listed.</summary>
public enum TfLiteBuiltinOperator
{
    Add = 0,
    AveragePool2D = 1,
    Concatenation = 2,
    Conv2D = 3,
    DepthwiseConv2D = 4,
    FullyConnected = 9,
    L2Normalization = 11,
    Logistic = 14,
    MaxPool2D = 17,
    Mul = 18,
    Relu = 19,
    Relu6 = 21,
    Reshape = 22,
    ResizeBilinear = 23,
    Softmax = 25,
    Tanh = 28,
    Custom = 32,
    Pad = 34,
    Transpose = 39,
    Mean = 40,
    Sub = 41,
    Div = 42,
    Squeeze = 43,
    StridedSlice = 45,
    Exp = 47,
    Prelu = 54,
    Maximum = 55,
    Minimum = 57,
    Neg = 59,
    Sum = 74,
    Sqrt = 75,
    Rsqrt = 76,
    Pow = 78,
    ReduceMax = 82,
    Pack = 83,
    Square = 92,
    LeakyRelu = 98,
    Abs = 101,
}

public enum TfLitePadding
{
    Same = 0,
    Valid = 1,
}

public enum TfLiteActivation
{
    None = 0,
    Relu = 1,
    ReluN1To1 = 2,
    Relu6 = 3,
    Tanh = 4,
    SignBit = 5,
}

public enum TfLiteTensorType
{
    Float32 = 0,
    Float16 = 1,
    Int32 = 2,
    UInt8 = 3,
    Int64 = 4,
    Int8 = 9,
}
