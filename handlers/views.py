from slack_bolt import Ack, App

from bot.runtime import Runtime
from bot.services import intake
from bot.views.ids import Callback
from bot.views.intake import IntakeSource, parse_intake


def register(app: App, runtime: Runtime) -> None:
    @app.view(Callback.INTAKE.value)
    def intake_submitted(ack: Ack, body: dict, view: dict) -> None:
        draft, errors = parse_intake(view, runtime.strategy)
        if errors:
            ack(response_action="errors", errors=errors)
            return
        ack()
        source = IntakeSource.from_metadata(view.get("private_metadata"))
        intake.submit_idea(runtime, draft, body["user"]["id"], source)
