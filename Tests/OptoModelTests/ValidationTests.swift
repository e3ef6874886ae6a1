import Testing
@testable import OptoModel

@Suite("Model validation")
struct ValidationTests {
    @Test("duplicate terms are merged, zeros dropped, constants moved to the bounds")
    func mergeAndDrop() throws {
        let m = Model()
        let x = m.addVariable(), y = m.addVariable(), z = m.addVariable()
        m.addConstraint(2 * x + y + 3 * x - y + 0 * z + 5, .lessThanOrEqual(10))
        let v = try m.validated()
        #expect(v.nonzeroCount == 1)
        #expect(v.columns == [Int32(x.index)])
        #expect(abs(v.coefficients[0] - 5) < 1e-12)
        #expect(v.rowLower[0] == -.infinity)
        #expect(abs(v.rowUpper[0] - 5) < 1e-12)
    }

    @Test("integer bounds are rounded inwards; binary bounds intersected with [0, 1]")
    func integerBounds() throws {
        let m = Model()
        m.addVariable(.integer, lowerBound: 0.5, upperBound: 3.7)
        m.addVariable(.binary, lowerBound: -4, upperBound: 9)
        m.addVariable(.integer, lowerBound: 2.0000000000001, upperBound: 2.9999999999999)
        m.addVariable(.integer, lowerBound: 0.2, upperBound: 0.8)
        let v = try m.validated()
        #expect(v.lowerBounds[0] == 1 && v.upperBounds[0] == 3)
        #expect(v.lowerBounds[1] == 0 && v.upperBounds[1] == 1)
        #expect(v.lowerBounds[2] == 2 && v.upperBounds[2] == 3)
        #expect(v.emptyIntegerDomain?.index == 3)
    }

    @Test("a handle from another model is caught in constraints, objective and warm starts")
    func foreignHandles() throws {
        let a = Model(), b = Model()
        let xa = a.addVariable()
        let xb = b.addVariable()
        b.addConstraint(xb + xa, .lessThanOrEqual(1), name: "mixed")
        #expect(throws: ModelError.foreignVariable(xa, at: .constraint(ConstraintID(model: b.identity, index: 0), name: "mixed"))) {
            try b.validated()
        }
        let c = Model()
        let xc = c.addVariable()
        c.setObjective(xc + xa, .minimize)
        #expect(throws: ModelError.foreignVariable(xa, at: .objective)) { try c.validated() }

        let d = Model()
        d.addVariable()
        let v = try d.validated()
        guard case .failure(.foreignVariable) = v.denseAssignment([xa: 1]) else {
            Issue.record("foreign warm-start handle not caught"); return
        }
    }

    @Test("NaN and infinite coefficients and constants are rejected", arguments: [Double.nan, .infinity, -.infinity])
    func nonFinite(_ bad: Double) throws {
        let m1 = Model(); let x1 = m1.addVariable()
        m1.addConstraint(bad * x1, .lessThanOrEqual(1))
        #expect(throws: ModelError.self) { try m1.validated() }
        let m2 = Model(); let x2 = m2.addVariable()
        m2.addConstraint(x2 + bad, .lessThanOrEqual(1))
        #expect(throws: ModelError.self) { try m2.validated() }
        let m3 = Model(); let x3 = m3.addVariable()
        m3.setObjective(bad * x3, .maximize)
        #expect(throws: ModelError.self) { try m3.validated() }
        let m4 = Model(); let x4 = m4.addVariable()
        m4.setObjective(x4 + bad, .maximize)
        #expect(throws: ModelError.self) { try m4.validated() }
    }

    @Test("merging duplicates that overflow to infinity is rejected")
    func overflow() {
        let m = Model(); let x = m.addVariable()
        m.addConstraint(1e308 * x + 1e308 * x, .lessThanOrEqual(1))
        #expect(throws: ModelError.self) { try m.validated() }
    }

    @Test("bad variable bounds are rejected", arguments: [
        (Double.nan, 1.0), (0, .nan), (2, 1), (.infinity, .infinity), (-.infinity, -.infinity),
    ])
    func badBounds(_ bounds: (Double, Double)) {
        let m = Model()
        m.addVariable(lowerBound: bounds.0, upperBound: bounds.1, name: "v")
        do {
            _ = try m.validated()
            Issue.record("bounds \(bounds) accepted")
        } catch {
            guard case .invalidBounds = error else { Issue.record("wrong error \(error)"); return }
        }
    }

    @Test("impossible constraint sets are rejected", arguments: [
        ConstraintSet.lessThanOrEqual(.nan), .lessThanOrEqual(-.infinity), .greaterThanOrEqual(.infinity),
        .equalTo(.infinity), .equalTo(-.infinity), .interval(3, 2), .interval(.nan, 1), .interval(.infinity, .infinity),
    ])
    func badSets(_ set: ConstraintSet) {
        let m = Model(); let x = m.addVariable()
        m.addConstraint(LinearExpression(x), set)
        do {
            _ = try m.validated()
            Issue.record("set \(set) accepted")
        } catch {
            guard case .invalidConstraintSet = error else { Issue.record("wrong error \(error)"); return }
        }
    }

    @Test("infinite sides that leave a row free or one-sided are accepted")
    func freeRows() throws {
        let m = Model(); let x = m.addVariable()
        m.addConstraint(LinearExpression(x), .lessThanOrEqual(.infinity))
        m.addConstraint(LinearExpression(x), .interval(-.infinity, 4))
        let v = try m.validated()
        #expect(v.rowUpper[0] == .infinity && v.rowLower[0] == -.infinity)
        #expect(v.rowLower[1] == -.infinity && abs(v.rowUpper[1] - 4) < 1e-12)
    }

    @Test("feasibility check of an assignment")
    func feasibilityCheck() throws {
        let m = Model()
        let x = m.addVariable(.integer, upperBound: 5), y = m.addVariable()
        m.addConstraint(x + y, .lessThanOrEqual(4))
        let v = try m.validated()
        #expect(v.infeasibility(of: [2, 1]) == nil)
        #expect(v.infeasibility(of: [2.5, 1]) != nil)   // fractional
        #expect(v.infeasibility(of: [4, 1]) != nil)     // row violated
        #expect(v.infeasibility(of: [6, -2]) != nil)    // bounds
        #expect(v.infeasibility(of: [1]) != nil)        // incomplete
        _ = x; _ = y
    }
}

@Suite("Model validation, merging across rows")
struct MergeAcrossRowsTests {
    @Test("a row after a row that lost zeros merges its own duplicates correctly")
    func staleMarkers() throws {
        // Row 0 has zeros that compaction removes, so positions recorded in
        // row 0 point past the start of row 1.
        let m = Model()
        let x = m.addVariables(4)
        m.addConstraint(0 * x[0] + 0 * x[1] + 0 * x[2] + 1 * x[3], .lessThanOrEqual(1))
        m.addConstraint(2 * x[3] + 3 * x[2] + 4 * x[3], .lessThanOrEqual(1))
        let v = try m.validated()
        #expect(v.rowStart == [0, 1, 3])
        #expect(v.columns == [3, 3, 2])
        #expect(abs(v.coefficients[1] - 6) < 1e-12 && abs(v.coefficients[2] - 3) < 1e-12)
    }

    @Test("merged rows agree with a dictionary-based oracle on seeded random rows")
    func oracle() throws {
        var state: UInt64 = 99
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        let m = Model()
        let x = m.addVariables(6)
        var expected: [[Int: Double]] = []
        for _ in 0..<200 {
            var e = LinearExpression()
            var d: [Int: Double] = [:]
            for _ in 0..<next(8) {
                let j = next(6), c = Double(next(5) - 2)
                e.add(c, x[j]); d[j, default: 0] += c
            }
            m.addConstraint(e, .lessThanOrEqual(1))
            expected.append(d.filter { $0.value != 0 })
        }
        let v = try m.validated()
        for r in 0..<200 {
            var got: [Int: Double] = [:]
            for k in v.rowStart[r]..<v.rowStart[r + 1] { got[Int(v.columns[k])] = v.coefficients[k] }
            #expect(got == expected[r], "row \(r)")
        }
    }
}
