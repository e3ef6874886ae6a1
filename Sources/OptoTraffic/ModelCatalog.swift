/// Published figures for common training workloads, so that a job can be
/// described by its model name. Each figure's source is in
/// `datasets/README.md`; the same table is reproduced there.
///
/// - `gradientBytes`: parameters × 4 bytes (fp32 gradients).
/// - `computeTime`: forward plus backward time of one iteration on one
///   accelerator at the batch size of the source.
public struct ModelProfile: Equatable, Sendable {
    /// Catalogue name (`vgg16`, `resnet50`, `bert-large`, `gpt2`).
    public var name: String
    /// Trainable parameters.
    public var parameters: Double
    /// Bytes of fp32 gradients all-reduced per iteration.
    public var gradientBytes: Double { parameters * 4 }
    /// Seconds of computation per iteration.
    public var computeTime: Double
    /// Where the figures come from (short form; full citations in datasets/README.md).
    public var source: String
}

/// The built-in model profiles.
public enum ModelCatalog {
    /// Every profile, by name.
    public static let profiles: [String: ModelProfile] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    /// The profiles in a stable order.
    public static let all: [ModelProfile] = [
        // 138 M parameters: Simonyan & Zisserman, ICLR 2015, Table 2.
        // 58.7 ms fp16 forward+backward on a V100: fastai imagenet-fast, fp16/measure_fp16.ipynb.
        ModelProfile(name: "vgg16", parameters: 138e6, computeTime: 0.0587,
                     source: "Simonyan & Zisserman 2015 (parameters); fastai imagenet-fast measure_fp16 (V100 fp16 step)"),
        // 25.6 M parameters: He et al., CVPR 2016 (torchvision resnet50).
        // 352 ms: NVIDIA DeepLearningExamples RN50 v1.5 PyTorch, 8×V100 mixed precision 5,815.8 img/s at batch 256 per GPU.
        ModelProfile(name: "resnet50", parameters: 25.6e6, computeTime: 0.352,
                     source: "He et al. 2016 (parameters); NVIDIA DeepLearningExamples RN50 v1.5 (8×V100, 5815.8 img/s, batch 256/GPU)"),
        // 340 M parameters: Devlin et al., NAACL 2019.
        // 344 ms: Intel Gaudi reference models, BERT pre-training phase 1, 8 devices, 1,489 sequences/s at batch 64 per device.
        ModelProfile(name: "bert-large", parameters: 340e6, computeTime: 0.344,
                     source: "Devlin et al. 2019 (parameters); Intel Gaudi reference models (phase 1, 8 devices, 1489 seq/s, batch 64)"),
        // 1.5 B parameters: Radford et al. 2019, Table 2 (1,542 M).
        // 1.0 s compute per iteration is an assumption (no published per-iteration time found for data-parallel GPT-2 1.5B).
        ModelProfile(name: "gpt2", parameters: 1542e6, computeTime: 1.0,
                     source: "Radford et al. 2019 (parameters); compute time assumed"),
    ]
}
