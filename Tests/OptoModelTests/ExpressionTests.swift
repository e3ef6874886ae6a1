import Testing
@testable import OptoModel

@Suite("Linear expressions")
struct ExpressionTests {
    @Test("operators build the expected terms and constant")
    func operators() {
        let m = Model()
        let x = m.addVariable(), y = m.addVariable()
        let e = 2 * x - y * 3 + 4 - (x + 1) / 2
        let value = e.evaluate { $0 == x ? 10 : 7 }
        // 2·10 − 3·7 + 4 − (10 + 1)/2 = 20 − 21 + 4 − 5.5
        #expect(abs(value - (-2.5)) < 1e-12)
        var f = LinearExpression()
        f += x; f -= 2.0; f += 3 * y; f -= y
        #expect(abs(f.evaluate { $0 == x ? 1 : 2 } - (1 - 2 + 6 - 2)) < 1e-12)
    }

    @Test("sum helpers")
    func sums() {
        let m = Model()
        let xs = m.addVariables(4)
        let s = LinearExpression.sum(xs)
        #expect(s.terms.count == 4)
        let w = LinearExpression.weightedSum([1, 2, 3, 4], xs)
        #expect(abs(w.evaluate { Double($0.index) } - (0 + 2 + 6 + 12)) < 1e-12)
        let c = LinearExpression.sum(0..<4) { i in Double(i) * xs[i] + 1 }
        #expect(abs(c.evaluate { _ in 1 } - (0 + 1 + 2 + 3 + 4)) < 1e-12)
    }
}
