/// A binary min-heap of `(priority, item)` pairs, used lazily by the
/// progressive fillings: an entry may be stale, and the caller re-checks
/// the popped item against its current priority.
struct LazyMinHeap {
    private(set) var priorities: [Double] = []
    private(set) var items: [Int] = []

    var isEmpty: Bool { items.isEmpty }

    mutating func removeAll() {
        priorities.removeAll(keepingCapacity: true)
        items.removeAll(keepingCapacity: true)
    }

    /// - Complexity: O(log n)
    mutating func push(_ priority: Double, _ item: Int) {
        priorities.append(priority)
        items.append(item)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if priorities[parent] <= priorities[i] { break }
            priorities.swapAt(parent, i)
            items.swapAt(parent, i)
            i = parent
        }
    }

    /// Removes and returns the entry with the smallest priority. - Complexity: O(log n)
    mutating func pop() -> (priority: Double, item: Int)? {
        guard let top = items.first else { return nil }
        let topPriority = priorities[0]
        let lastP = priorities.removeLast()
        let lastI = items.removeLast()
        if !items.isEmpty {
            priorities[0] = lastP
            items[0] = lastI
            var i = 0
            let n = items.count
            while true {
                let l = 2 * i + 1
                if l >= n { break }
                var c = l
                if l + 1 < n && priorities[l + 1] < priorities[l] { c = l + 1 }
                if priorities[i] <= priorities[c] { break }
                priorities.swapAt(i, c)
                items.swapAt(i, c)
                i = c
            }
        }
        return (topPriority, top)
    }
}
