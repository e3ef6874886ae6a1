internal import CGLPK
func _glpkVersion() -> String { String(cString: glp_version()) }
