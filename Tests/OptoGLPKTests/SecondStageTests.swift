import Testing
import OptoModel
@testable import OptoGLPK

/// `SolverOptions.secondStage`: a lexicographic LP solved from the first
/// optimum's basis.
@Suite("GLPK second stage")
struct SecondStageTests {
    /// max x + y s.t. x + y ≤ 4, x ≤ 3, y ≤ 3: every point of the segment
    /// from (1, 3) to (3, 1) is optimal (z = 4).
    func tiedLP() -> (Model, VariableID, VariableID) {
        let m = Model()
        let x = m.addVariable(upperBound: 3), y = m.addVariable(upperBound: 3)
        m.addConstraint(x + y, .lessThanOrEqual(4))
        m.setObjective(x + y, .maximize)
        return (m, x, y)
    }

    @Test("the second objective picks its end of a tied optimum, in either direction, at the first optimum")
    func picksAmongTies() throws {
        let (m, x, y) = tiedLP()
        for (sense, wantX) in [(ObjectiveSense.minimize, 1.0), (.maximize, 3.0)] {
            var o = SolverOptions()
            o.secondStage = SecondStage(LinearExpression(x), sense)
            let r = try GLPKSolver().solve(m, options: o)
            #expect(r.termination == .optimal)
            #expect(r.secondStageSolved)
            #expect(abs(r.value(x) - wantX) < 1e-9, "x = \(r.value(x)) minimising/maximising x")
            #expect(abs(r.value(x) + r.value(y) - 4) < 1e-9)
            #expect(abs((r.objectiveValue ?? .nan) - 4) < 1e-9)
            #expect(abs((r.bestBound ?? .nan) - 4) < 1e-12)
        }
    }

    @Test("the slack lets the model's objective give way by exactly its share, for a minimising model too")
    func slackIsHonoured() throws {
        // min −x − y (optimum −4), then min y: with slack 0.25 the first
        // objective may rise to −4 + 1 = −3, so y falls to 0 with x = 3.
        let m = Model()
        let x = m.addVariable(upperBound: 3), y = m.addVariable(upperBound: 3)
        m.addConstraint(x + y, .lessThanOrEqual(4))
        m.setObjective(LinearExpression(terms: [LinearTerm(-1, x), LinearTerm(-1, y)], constant: 10), .minimize)   // a constant, which the row must leave out
        var o = SolverOptions()
        o.secondStage = SecondStage(LinearExpression(y), .minimize, relativeSlack: 1.0 / 6)
        let r = try GLPKSolver().solve(m, options: o)
        // z = 6 (with the constant); 6 + 1 = 7 = 10 − x − y, so x + y ≥ 3 and y = 0, x = 3.
        #expect(r.secondStageSolved)
        #expect(abs(r.value(y)) < 1e-9 && abs(r.value(x) - 3) < 1e-9)
        #expect(abs((r.objectiveValue ?? .nan) - 7) < 1e-9)
        #expect(abs((r.bestBound ?? .nan) - 6) < 1e-9)
    }

    @Test("with presolve and the dual simplex for the first stage the answer is the same")
    func presolveAndDual() throws {
        let (m, x, _) = tiedLP()
        for presolve in [true, false] {
            var o = SolverOptions(presolve: presolve)
            o.dualSimplex = true
            o.secondStage = SecondStage(LinearExpression(x), .minimize)
            let r = try GLPKSolver().solve(m, options: o)
            #expect(r.secondStageSolved)
            #expect(abs(r.value(x) - 1) < 1e-9)
        }
    }

    @Test("a second objective over another model's variable returns the first optimum, flagged unsolved")
    func foreignVariable() throws {
        let (m, x, y) = tiedLP()
        let other = Model()
        let z = other.addVariable()
        var o = SolverOptions()
        o.secondStage = SecondStage(LinearExpression(z), .minimize)
        let r = try GLPKSolver().solve(m, options: o)
        #expect(r.termination == .optimal)
        #expect(!r.secondStageSolved)
        #expect(r.message.contains("second stage not solved"))
        #expect(abs(r.value(x) + r.value(y) - 4) < 1e-9)
    }

    @Test("a non-finite coefficient or slack is refused, not handed to GLPK")
    func nonFinite() throws {
        let (m, x, _) = tiedLP()
        for stage in [SecondStage(LinearExpression(terms: [LinearTerm(.nan, x)]), .minimize),
                      SecondStage(LinearExpression(x), .minimize, relativeSlack: .infinity),
                      SecondStage(LinearExpression(x), .minimize, relativeSlack: -1)] {
            var o = SolverOptions()
            o.secondStage = stage
            let r = try GLPKSolver().solve(m, options: o)
            #expect(r.termination == .optimal && !r.secondStageSolved)
        }
    }

    @Test("a MIP ignores the second stage")
    func mipIgnores() throws {
        let m = Model()
        let x = m.addVariable(.integer, upperBound: 3), y = m.addVariable(.integer, upperBound: 3)
        m.addConstraint(x + y, .lessThanOrEqual(4))
        m.setObjective(x + y, .maximize)
        var o = SolverOptions()
        o.secondStage = SecondStage(LinearExpression(x), .minimize)
        let r = try GLPKSolver().solve(m, options: o)
        #expect(r.termination == .optimal)
        #expect(!r.secondStageSolved)
        #expect(abs((r.objectiveValue ?? .nan) - 4) < 1e-9)
    }

    @Test("an infeasible LP stays infeasible")
    func infeasible() throws {
        let m = Model()
        let x = m.addVariable(upperBound: 1)
        m.addConstraint(LinearExpression(x), .greaterThanOrEqual(2))
        m.setObjective(LinearExpression(x), .maximize)
        var o = SolverOptions()
        o.secondStage = SecondStage(LinearExpression(x), .minimize)
        let r = try GLPKSolver().solve(m, options: o)
        #expect(r.termination == .infeasible && !r.secondStageSolved)
    }
}
