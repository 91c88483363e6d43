import Testing
@testable import PortcullisEngine

/// An observer that watches nothing: deciding through one takes the full walk (every rule
/// visited, nothing ruled out in bulk), the reference the fast path must agree with.
struct FullWalkObserver: InspectionObserver {}

/// Decides `view` on the fast path with `scratch` and again by the full walk, expects both to
/// give the same verdict and matches (`comment` names the request in a failure), and returns
/// the fast path's verdict.
@discardableResult
func decideAgreeingWithTheFullWalk(_ inspector: Inspector, _ view: RequestView,
                                   scratch: inout EvaluationScratch, _ comment: Comment) -> (Verdict, EvaluationState) {
    let (verdict, state) = inspector.decide(view, scratch: &scratch)
    var walkScratch = EvaluationScratch()
    var walker = FullWalkObserver()
    let (walkedVerdict, walked) = inspector.decide(view, scratch: &walkScratch, observer: &walker)
    #expect(verdict == walkedVerdict, comment)
    #expect(state.matches == walked.matches, comment)
    return (verdict, state)
}
