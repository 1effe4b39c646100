extension StringProtocol {
    /// The text without leading and trailing spaces and tabs (settings, header lists);
    /// Foundation's trimming is not imported here.
    func trimmingSpaces() -> String {
        var view = self[...]
        while let first = view.first, first == " " || first == "\t" { view = view.dropFirst() }
        while let last = view.last, last == " " || last == "\t" { view = view.dropLast() }
        return String(view)
    }
}
