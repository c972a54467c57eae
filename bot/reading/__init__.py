"""What a family's message says, read without the model: answers to the bot's questions,
hellos and thanks, questions in the middle of a sign-up, worries that go to a person."""
