// optoplan-bench: one subcommand per area; each prints its figures and ratios.
// Build in release mode first: swift build -c release --product optoplan-bench
//   optoplan-bench model     modeling layer and GLPK backend (ModelBenchmark.swift)
//   optoplan-bench schedule  circuit scheduling (ScheduleBench.swift)
//   optoplan-bench stagger   staggered job windows (StaggerBench.swift)
//   optoplan-bench traffic   readers and traffic predictors (TrafficBench.swift)
//   optoplan-bench linkpool  link-pool methods by size (LinkPoolBench.swift)
//   optoplan-bench eval      the flow-level evaluator (EvalBench.swift)
//   optoplan-bench collective collective-aware planning (CollectiveBench.swift)
//   optoplan-bench replay    planning on predictions: rolling-horizon replay (ReplayBench.swift)
//   optoplan-bench solvers   GLPK versus CBC on each planner's exact model (SolversBench.swift)
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "model":
    runModelBenchmark(Array(arguments.dropFirst()))
case "schedule":
    ScheduleBench.run(Array(arguments.dropFirst()))
case "stagger":
    StaggerBench.run(Array(arguments.dropFirst()))
case "traffic":
    TrafficBench.run(Array(arguments.dropFirst()))
case "linkpool":
    LinkPoolBench.run(Array(arguments.dropFirst()))
case "collective":
    CollectiveBench.run(Array(arguments.dropFirst()))
case "replay":
    ReplayBench.run(Array(arguments.dropFirst()))
case "solvers":
    SolversBench.run(Array(arguments.dropFirst()))
case "eval":
    do { try EvalBench.run(Array(arguments.dropFirst())) } catch {
        FileHandle.standardError.write(Data("\(error)\n".utf8))
        exit(1)
    }
default:
    print("""
    usage: optoplan-bench SUBCOMMAND [options]
      model [--quick|--parts]  model building (1,000,000 nonzeros), GLPK load and solve figures, glpsol MPS read ratio
      schedule [options] circuit scheduling: exact plain vs strengthened, heuristics on the rack matrices
      stagger [options] staggered job windows
      traffic [--datasets DIR]  instance reading speed, predictor errors on the pod series
      linkpool [--sizes 8,16,32,64] [--seeds K] [--objective concurrent|throughput|both] [--time-limit S]
                        link-pool methods: objective, gap to the ILP bound, time
      linkpool --transit [--matrices K] [--sizes 16,32,64] [--seeds K] [--time-limit S] [--skip-pods] [--skip-sizes]
                        transit: ATRO's setting on the pod series, then seeded N = 16-64
      solvers [--time-limit S] [--planners schedule,linkpool,stagger] [--large]
                        GLPK versus CBC on each planner's exact model at growing sizes
      collective [--sizes 8,16,32,64] [--free-sizes 16,64,256,1024] [--seeds K] [--time-limit S] [--drain-model-above N] [--judge-up-to N]
                        collective planning: matched and fixed against the bound, given and free circuits
      replay [--traces pods,coflow] [--horizon H] [--step-limit S] [--rows last,ewma,shape,hedge,scenarios]
                        rolling-horizon replay against perfect foresight and static on the two traces
      eval [--datasets DIR] [--methods a,b] [--sizes fb-C,n1024] [--plans DIR] [--skip-methods|--skip-reference|--skip-planio|--skip-blas]
                        evaluator speed per schedule heuristic and size, plan file writing and reading
    """)
}
