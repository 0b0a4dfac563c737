import Testing
@Test func placeholderAntreCoreTests() {}
