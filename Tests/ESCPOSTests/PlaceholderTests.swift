import Testing
@Test func placeholderESCPOSTests() {}
