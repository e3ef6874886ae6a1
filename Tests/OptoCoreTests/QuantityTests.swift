import Testing
@testable import OptoCore

@Suite("Quantities")
struct QuantityTests {
    func value(_ text: String, _ kind: QuantityKind) -> Double? {
        if case .success(let x) = Quantity.parse(text, as: kind) { return x }
        return nil
    }

    func message(_ text: String, _ kind: QuantityKind) -> String? {
        if case .failure(let e) = Quantity.parse(text, as: kind) { return e.message }
        return nil
    }

    @Test("FORMATS.md examples and every unit")
    func units() throws {
        let cases: [(String, QuantityKind, Double)] = [
            ("400Gbps", .rate, 4e11), ("20us", .time, 2e-5), ("1.5GB", .volume, 1.5e9), ("2e-5", .time, 2e-5),
            ("1B", .volume, 1), ("1KB", .volume, 1e3), ("1MB", .volume, 1e6), ("1TB", .volume, 1e12),
            ("1KiB", .volume, 1024), ("1MiB", .volume, 1_048_576), ("2GiB", .volume, 2_147_483_648), ("1TiB", .volume, 1_099_511_627_776),
            ("1bps", .rate, 1), ("1Kbps", .rate, 1e3), ("10Mbps", .rate, 1e7), ("1.6Tbps", .rate, 1.6e12),
            ("3s", .time, 3), ("5ms", .time, 5e-3), ("7µs", .time, 7e-6), ("7\u{03BC}s", .time, 7e-6), ("9ns", .time, 9e-9),
            (" 100 Gbps ", .rate, 1e11), ("1e3MB", .volume, 1e9), (".5s", .time, 0.5), ("0", .rate, 0),
        ]
        for (text, kind, expected) in cases {
            let x = try #require(value(text, kind), "\(text)")
            #expect(abs(x - expected) <= 1e-12 * max(1, expected), "\(text)")
        }
    }

    @Test("wrong kind, unknown unit, negative, NaN and infinity are errors")
    func errors() {
        #expect(message("20us", .rate) == "\"20us\" is a time, a rate was expected")
        #expect(message("1GB", .time)?.contains("is a volume, a time was expected") == true)
        #expect(message("5 parsecs", .time)?.contains("unknown unit \"parsecs\"") == true)
        #expect(message("-5MB", .volume)?.contains("negative") == true)
        #expect(message("nan", .rate) != nil)
        #expect(message("inf", .rate) != nil)
        #expect(message("1e999Gbps", .rate)?.contains("too large") == true)
        #expect(message("", .rate) != nil)
        #expect(message("Gbps", .rate) != nil)
        if case .failure(let e) = Quantity.check(-1, as: .rate) { #expect(e.message.contains("negative")) } else { Issue.record("-1 accepted") }
        if case .failure = Quantity.check(.nan, as: .rate) {} else { Issue.record("NaN accepted") }
        if case .failure = Quantity.check(.infinity, as: .time) {} else { Issue.record("inf accepted") }
    }

    @Test("human formatting picks a readable unit")
    func formatting() {
        #expect(Quantity.format(4e11, as: .rate) == "400Gbps")
        #expect(Quantity.format(2e-5, as: .time) == "20us")
        #expect(Quantity.format(1.5e6, as: .volume) == "1.5MB")
        #expect(Quantity.format(0, as: .volume) == "0B")
    }
}
