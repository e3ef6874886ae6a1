// optoplan-bench: figures and ratios measured in one run, one subcommand per area.
//   optoplan-bench model    modeling layer and GLPK backend (ModelBenchmark.swift)
let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "model":
    runModelBenchmark(Array(arguments.dropFirst()))
default:
    print("""
    usage: optoplan-bench SUBCOMMAND [options]
      model [--quick]   model building (1,000,000 nonzeros), GLPK load and solve figures, glpsol MPS read ratio
    Build in release mode first: swift build -c release --product optoplan-bench
    """)
}
