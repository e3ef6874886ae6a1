// optoplan-bench: figures and ratios measured in one run, one subcommand per area.
let benchArguments = Array(CommandLine.arguments.dropFirst())
switch benchArguments.first {
case "schedule":
    ScheduleBench.run(Array(benchArguments.dropFirst()))
default:
    print("usage: optoplan-bench schedule [options]   (run with -c release)")
}
