import Testing
@Test func placeholderAntreStoreTests() {}
