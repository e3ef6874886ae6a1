// optoplan-bench: figures and ratios measured in one run, one subcommand per area.
// Run in release mode: `swift run -c release optoplan-bench <area> [options]`.
let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "linkpool":
    LinkPoolBench.run(Array(arguments.dropFirst()))
default:
    print("usage: optoplan-bench linkpool [options]")
}
