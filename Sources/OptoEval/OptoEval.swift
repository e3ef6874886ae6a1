// OptoEval: the flow-level evaluator. See README.md.
import CBLAS

func _blasLinked() -> Double { var x: [Double] = [1, 2]; return cblas_dasum(2, &x, 1) }
