// optoplan-bench: one subcommand per area; each prints its figures and ratios.
let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "stagger":
    StaggerBench.run(Array(arguments.dropFirst()))
case "traffic":
    TrafficBench.run(Array(arguments.dropFirst()))
default:
    print("usage: optoplan-bench stagger|traffic [options]")
}
