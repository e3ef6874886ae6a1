// swift-tools-version:6.0
//
// OptoPlan: planning optical-circuit-switched AI data-centre fabrics.
// Data flows one way: instance file → parsed instance → planner → plan →
// evaluator → metrics → command line. See README.md for the module map.
import PackageDescription

let package = Package(
    name: "OptoPlan",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "OptoPlan", targets: ["OptoModel", "OptoCore", "OptoTraffic", "OptoPlanners", "OptoEval", "OptoReplay"]),
        .executable(name: "optoplan", targets: ["optoplan"]),
        .executable(name: "optoplan-bench", targets: ["optoplan-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // C bridges: module maps only.
        .systemLibrary(name: "CGLPK", providers: [.apt(["libglpk-dev"])]),
        .systemLibrary(name: "CBLAS", providers: [.apt(["libblas-dev"])]),

        // Solver-agnostic modeling layer: variables, expressions, constraints,
        // the solver protocol and results. Pure Swift.
        .target(name: "OptoModel"),
        // The GLPK backend: the only importer of CGLPK.
        .target(name: "OptoGLPK", dependencies: ["OptoModel", "CGLPK"]),
        // The CBC backend: opens libCbcSolver at run time (no build-time dependency).
        .target(name: "OptoCBC", dependencies: ["OptoModel"]),
        // Quantities, fabrics, matrices, instances, plans, input errors, file I/O.
        .target(name: "OptoCore"),
        // Collective-to-matrix generators and traffic predictors.
        .target(name: "OptoTraffic", dependencies: ["OptoCore"]),
        // The three planners. They formulate through OptoModel and never see GLPK.
        .target(name: "OptoPlanners", dependencies: ["OptoCore", "OptoModel"]),
        // The flow-level evaluator.
        .target(name: "OptoEval", dependencies: ["OptoCore", "CBLAS"]),
        // Planning on predictions (PROBLEMS.md §5): the replay loop, which
        // forecasts, plans and scores, so it sits above predictors,
        // planners and the evaluator (none of which knows the others).
        .target(name: "OptoReplay", dependencies: ["OptoCore", "OptoTraffic", "OptoPlanners", "OptoEval", "OptoModel"]),
        // Command implementations (argument-parser), kept in a library so
        // tests can call them; the executable is a one-line entry point.
        .target(name: "OptoPlanCLI", dependencies: [
            "OptoCore", "OptoTraffic", "OptoPlanners", "OptoEval", "OptoReplay", "OptoModel", "OptoGLPK", "OptoCBC",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "optoplan", dependencies: ["OptoPlanCLI"]),
        .executableTarget(name: "optoplan-bench", dependencies: [
            "OptoCore", "OptoTraffic", "OptoPlanners", "OptoEval", "OptoReplay", "OptoModel", "OptoGLPK", "OptoCBC",
        ]),

        .testTarget(name: "OptoModelTests", dependencies: ["OptoModel"]),
        .testTarget(name: "OptoGLPKTests", dependencies: ["OptoGLPK", "OptoModel"]),
        .testTarget(name: "OptoCBCTests", dependencies: ["OptoCBC", "OptoModel"]),
        .testTarget(name: "OptoCoreTests", dependencies: ["OptoCore"]),
        .testTarget(name: "OptoTrafficTests", dependencies: ["OptoTraffic", "OptoCore"]),
        .testTarget(name: "OptoPlannersTests", dependencies: ["OptoPlanners", "OptoCore", "OptoModel", "OptoGLPK", "OptoEval", "OptoTraffic"]),
        .testTarget(name: "OptoEvalTests", dependencies: ["OptoEval", "OptoCore", "OptoModel", "OptoGLPK"]),
        .testTarget(name: "OptoReplayTests", dependencies: ["OptoReplay", "OptoPlanners", "OptoTraffic", "OptoEval", "OptoCore", "OptoModel", "OptoGLPK"]),
        .testTarget(name: "OptoPlanCLITests", dependencies: ["OptoPlanCLI", "OptoCore"]),
    ]
)
