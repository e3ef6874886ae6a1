import Foundation

let benchArguments = Array(CommandLine.arguments.dropFirst())
switch benchArguments.first {
case "eval":
    do { try EvalBench.run(Array(benchArguments.dropFirst())) } catch {
        FileHandle.standardError.write(Data("\(error)\n".utf8))
        exit(1)
    }
default:
    print("usage: optoplan-bench eval [--datasets DIR] [--configurations M]")
}
